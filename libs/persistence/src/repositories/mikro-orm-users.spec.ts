import type { MikroORM } from '@mikro-orm/postgresql';
import { type OrmOnTestDatabase, ormOnTestDatabase, usersRepositoryContract } from '#testing';
import { ReadReplicas } from '../read-replicas/read-replicas.js';
import { MikroOrmApiKeyRepository } from './mikro-orm-api-key.repository.js';
import { MikroOrmRefreshTokenRepository } from './mikro-orm-refresh-token.repository.js';
import { MikroOrmUserRepository } from './mikro-orm-user.repository.js';

let orm: MikroORM;
let database: OrmOnTestDatabase;
let replicas: ReadReplicas;
beforeAll(async () => {
  database = await ormOnTestDatabase('tessera_users_contract');
  ({ orm } = database);
  replicas = new ReadReplicas(database.config); // none configured: every read goes to the primary
});
afterAll(async () => {
  await database?.close();
});

usersRepositoryContract('MikroORM on PostgreSQL', async () => {
  await orm.em.getConnection().execute('truncate users cascade');
  return {
    users: new MikroOrmUserRepository(orm.em, replicas),
    tokens: new MikroOrmRefreshTokenRepository(orm.em),
    apiKeys: new MikroOrmApiKeyRepository(orm.em),
    dispose: async () => undefined,
  };
});
