import { Migrator } from '@mikro-orm/migrations';
import { defineConfig, PostgreSqlDriver } from '@mikro-orm/postgresql';
import { Logger } from '@nestjs/common';
import type { AppConfig } from '#config';
import { MIGRATIONS } from './migrations/index.js';
import { ENTITY_SCHEMAS } from './schemas/index.js';

const ormLogger = new Logger('MikroORM');

export type OrmConfigInput = Pick<AppConfig, 'DATABASE_URL' | 'DATABASE_POOL_MAX' | 'NODE_ENV'>;

/** The one MikroORM configuration used by the apps, the migration CLI and the tests. */
export function createOrmConfig(config: OrmConfigInput) {
  if (!config.DATABASE_URL) throw new Error('DATABASE_URL is empty: open the database (openDatabase) first.');
  return defineConfig({
    driver: PostgreSqlDriver,
    clientUrl: config.DATABASE_URL,
    pool: { min: 0, max: config.DATABASE_POOL_MAX },
    entities: ENTITY_SCHEMAS,
    extensions: [Migrator],
    discovery: { warnWhenNoEntities: true },
    migrations: {
      migrationsList: MIGRATIONS,
      path: 'libs/persistence/src/migrations',
      emit: 'ts',
      snapshot: false,
      transactional: true,
      allOrNothing: true,
      tableName: 'mikro_orm_migrations',
    },
    // Never let a stale identity map or implicit global context leak across requests/jobs.
    allowGlobalContext: false,
    debug: false,
    colors: false,
    logger: (message: string) => ormLogger.log(message),
  });
}
