import { randomUUID } from 'node:crypto';
import type { MikroORM } from '@mikro-orm/postgresql';
import {
  InMemoryChangeFeed,
  ormOnTestDatabase,
  type OrmOnTestDatabase,
  panoramaRepositoryContract,
  renditionRepositoryContract,
  twoStoredPanoramas,
} from '#testing';
import { User } from '#users';
import { ReadReplicas } from '../read-replicas/read-replicas.js';
import { MikroOrmPanoramaRepository } from './mikro-orm-panorama.repository.js';
import { MikroOrmRenditionRepository } from './mikro-orm-rendition.repository.js';
import { MikroOrmTileSetRepository } from './mikro-orm-tile-set.repository.js';
import { MikroOrmUserRepository } from './mikro-orm-user.repository.js';

let orm: MikroORM;
let database: OrmOnTestDatabase;
let replicas: ReadReplicas;
beforeAll(async () => {
  database = await ormOnTestDatabase('tessera_panoramas_contract');
  ({ orm } = database);
  replicas = new ReadReplicas(database.config); // none configured: every read goes to the primary
});
afterAll(async () => {
  await database?.close();
});

async function user(): Promise<string> {
  const now = new Date();
  const id = randomUUID();
  await new MikroOrmUserRepository(orm.em, replicas).insert(
    new User({
      id,
      email: `${id}@example.com`,
      passwordHash: 'hash',
      role: 'user',
      quotaBytes: null,
      quotaPanoramas: null,
      createdAt: now,
      updatedAt: now,
    }),
  );
  return id;
}

panoramaRepositoryContract('MikroORM on PostgreSQL', async () => ({
  panoramas: new MikroOrmPanoramaRepository(orm.em, replicas),
  tileSets: new MikroOrmTileSetRepository(orm.em, replicas, new InMemoryChangeFeed()),
  owners: [await user(), await user()],
  dispose: () =>
    orm.em
      .getConnection()
      .execute('truncate users cascade')
      .then(() => undefined),
}));

renditionRepositoryContract('MikroORM on PostgreSQL', async () => {
  const panoramas = new MikroOrmPanoramaRepository(orm.em, replicas);
  return {
    renditions: new MikroOrmRenditionRepository(orm.em, replicas),
    panoramas,
    sources: await twoStoredPanoramas(panoramas, await user()),
    dispose: () =>
      orm.em
        .getConnection()
        .execute('truncate users cascade')
        .then(() => undefined),
  };
});
