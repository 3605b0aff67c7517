import { MikroORM } from '@mikro-orm/postgresql';
import { createOrmConfig, type OrmConfigInput } from './mikro-orm.config.js';

/** Opens a short-lived ORM on the configured database, creating the database if missing. */
export async function withOrm<T>(config: OrmConfigInput, work: (orm: MikroORM) => Promise<T>): Promise<T> {
  const orm = await MikroORM.init({ ...createOrmConfig(config), pool: { min: 0, max: 2 } });
  try {
    await orm.schema.ensureDatabase({ create: true });
    return await work(orm);
  } finally {
    await orm.close(true);
  }
}

/** Applies every pending migration; returns the names applied. */
export async function migrateDatabase(config: OrmConfigInput): Promise<string[]> {
  return withOrm(config, async (orm) => (await orm.migrator.up()).map((m) => m.name));
}

/** Names of migrations not yet applied (the worker refuses to start while there are any). */
export async function pendingMigrations(config: OrmConfigInput): Promise<string[]> {
  return withOrm(config, async (orm) => (await orm.migrator.getPending()).map((m) => m.name));
}
