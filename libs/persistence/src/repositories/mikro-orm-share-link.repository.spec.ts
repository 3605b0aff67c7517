import { randomUUID } from 'node:crypto';
import { MikroORM } from '@mikro-orm/postgresql';
import { loadConfig } from '#config';
import { Panorama } from '#panoramas';
import { createTestDatabase, InMemoryChangeFeed, shareLinkRepositoryContract, type TestDatabase } from '#testing';
import { DEFAULT_TILE_OPTIONS, TileSet } from '#tiles';
import { User } from '#users';
import { migrateDatabase } from '../database-migrations.js';
import { createOrmConfig } from '../mikro-orm.config.js';
import { ReadReplicas } from '../read-replicas/read-replicas.js';
import { MikroOrmPanoramaRepository } from './mikro-orm-panorama.repository.js';
import { MikroOrmShareLinkRepository } from './mikro-orm-share-link.repository.js';
import { MikroOrmTileSetRepository } from './mikro-orm-tile-set.repository.js';
import { MikroOrmUserRepository } from './mikro-orm-user.repository.js';

let db: TestDatabase;
let orm: MikroORM;
let replicas: ReadReplicas;
beforeAll(async () => {
  db = await createTestDatabase('tessera_share_links_contract');
  const config = loadConfig({ DATABASE_URL: db.url, LOG_LEVEL: 'silent' });
  await migrateDatabase(config);
  orm = await MikroORM.init(createOrmConfig(config));
  replicas = new ReadReplicas(config); // none configured: every read goes to the primary
});
afterAll(async () => {
  await orm?.close(true);
  await db?.drop();
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
