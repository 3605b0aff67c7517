import { randomUUID } from 'node:crypto';
import type { MikroORM } from '@mikro-orm/postgresql';
import { Panorama } from '#panoramas';
import { InMemoryChangeFeed, ormOnTestDatabase, type OrmOnTestDatabase, shareLinkRepositoryContract } from '#testing';
import { DEFAULT_TILE_OPTIONS, TileSet } from '#tiles';
import { User } from '#users';
import { ReadReplicas } from '../read-replicas/read-replicas.js';
import { MikroOrmPanoramaRepository } from './mikro-orm-panorama.repository.js';
import { MikroOrmShareLinkRepository } from './mikro-orm-share-link.repository.js';
import { MikroOrmTileSetRepository } from './mikro-orm-tile-set.repository.js';
import { MikroOrmUserRepository } from './mikro-orm-user.repository.js';

let orm: MikroORM;
let database: OrmOnTestDatabase;
let replicas: ReadReplicas;
beforeAll(async () => {
  database = await ormOnTestDatabase('tessera_share_links_contract');
  ({ orm } = database);
  replicas = new ReadReplicas(database.config); // none configured: every read goes to the primary
});
afterAll(async () => {
  await database?.close();
});

/** A user with one panorama and two tile sets of it (the share links' foreign keys need real rows). */
async function seed(): Promise<{ ownerId: string; tileSets: [string, string] }> {
  const now = new Date();
  const user = new User({
    id: randomUUID(),
    email: `${randomUUID()}@example.com`,
    passwordHash: 'hash',
    role: 'user',
    quotaBytes: null,
    quotaPanoramas: null,
    createdAt: now,
    updatedAt: now,
  });
  await new MikroOrmUserRepository(orm.em, replicas).insert(user);
  const panorama = new Panorama({
    id: randomUUID(),
    ownerId: user.id,
    title: 'Seed',
    description: null,
    originalFilename: 'seed.jpg',
    format: 'jpeg',
    bytes: 1000,
    width: 600,
    height: 300,
    projection: 'flat',
    sha256: randomUUID().replaceAll('-', '').padEnd(64, '0'),
    originalKey: `originals/${user.id}/seed/original.jpg`,
    createdAt: now,
    updatedAt: now,
    deletedAt: null,
  });
  const tileSet = (tileSize: number) =>
    TileSet.queue({
      id: randomUUID(),
      panoramaId: panorama.id,
      ownerId: user.id,
      sourceKey: panorama.originalKey,
      sourceWidth: 600,
      sourceHeight: 300,
      options: { ...DEFAULT_TILE_OPTIONS, tileSize },
      now,
    });
  const [first, second] = [tileSet(256), tileSet(512)];
  await new MikroOrmPanoramaRepository(orm.em, replicas).insertWithTileSet(panorama, first, {
    maxBytes: 10 ** 12,
    maxPanoramas: 1000,
  });
  await new MikroOrmTileSetRepository(orm.em, replicas, new InMemoryChangeFeed()).insertOrGet(second);
  return { ownerId: user.id, tileSets: [first.id, second.id] };
}

shareLinkRepositoryContract('MikroORM on PostgreSQL', async () => {
  const { ownerId, tileSets } = await seed();
  return {
    links: new MikroOrmShareLinkRepository(orm.em),
    kind: 'tileset',
    resources: tileSets,
    ownerId,
    dispose: () =>
      orm.em
        .getConnection()
        .execute('truncate users cascade')
        .then(() => undefined),
  };
});
