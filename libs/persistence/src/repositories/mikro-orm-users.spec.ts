import { MikroORM } from '@mikro-orm/postgresql';
import { loadConfig } from '#config';
import { createTestDatabase, type TestDatabase, usersRepositoryContract } from '#testing';
import { migrateDatabase } from '../database-migrations.js';
import { createOrmConfig } from '../mikro-orm.config.js';
import { ReadReplicas } from '../read-replicas/read-replicas.js';
import { MikroOrmRefreshTokenRepository } from './mikro-orm-refresh-token.repository.js';
import { MikroOrmUserRepository } from './mikro-orm-user.repository.js';

let db: TestDatabase;
let orm: MikroORM;
let replicas: ReadReplicas;
beforeAll(async () => {
  db = await createTestDatabase('tessera_users_contract');
  const config = loadConfig({ DATABASE_URL: db.url, LOG_LEVEL: 'silent' });
  await migrateDatabase(config);
  orm = await MikroORM.init(createOrmConfig(config));
  replicas = new ReadReplicas(config); // none configured: every read goes to the primary
});
afterAll(async () => {
  await orm?.close(true);
  await db?.drop();
});

usersRepositoryContract('MikroORM on PostgreSQL', async () => {
  await orm.em.getConnection().execute('truncate users cascade');
  return {
    users: new MikroOrmUserRepository(orm.em, replicas),
    tokens: new MikroOrmRefreshTokenRepository(orm.em),
    dispose: async () => undefined,
  };
});
