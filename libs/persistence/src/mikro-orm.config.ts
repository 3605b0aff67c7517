import { Migrator } from '@mikro-orm/migrations';
import { defineConfig, PostgreSqlDriver } from '@mikro-orm/postgresql';
import { Logger } from '@nestjs/common';
import type { AppConfig } from '#config';
import { MIGRATIONS } from './migrations/index.js';
import type { ReadReplicas } from './read-replicas/read-replicas.js';
import { replicaRoutingDriver } from './read-replicas/replica-routing-driver.js';
import { ENTITY_SCHEMAS } from './schemas/index.js';

const ormLogger = new Logger('MikroORM');

export type OrmConfigInput = Pick<AppConfig, 'DATABASE_URL' | 'DATABASE_POOL_MAX' | 'NODE_ENV'> &
  Partial<Pick<AppConfig, 'DATABASE_REPLICA_URLS'>>;

/**
 * The one MikroORM configuration used by the apps, the migration CLI and the tests; with
 * `replicas` (the apps), reads in stale-OK scopes may go to DATABASE_REPLICA_URLS.
 */
export function createOrmConfig(config: OrmConfigInput, replicas?: ReadReplicas) {
  if (!config.DATABASE_URL) throw new Error('DATABASE_URL is empty: open the database (openDatabase) first.');
  const routed = replicas?.enabled === true;
  return defineConfig({
    driver: routed ? replicaRoutingDriver(replicas) : PostgreSqlDriver,
    clientUrl: config.DATABASE_URL,
    pool: { min: 0, max: config.DATABASE_POOL_MAX },
    // In ReadReplicas' order. Queries use the primary unless they ask for `read` inside a
    // stale-OK scope (ReadReplicas.staleOk), never by MikroORM's default.
    replicas: routed
      ? (config.DATABASE_REPLICA_URLS ?? []).map((url, i) => ({
          name: `replica${i + 1}`,
          clientUrl: url,
          // A replica that does not answer is given up quickly: the primary is there.
          driverOptions: { connectionTimeoutMillis: 2_000 },
        }))
      : [],
    preferReadReplicas: false,
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
