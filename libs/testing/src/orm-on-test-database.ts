import type { MikroORM } from '@mikro-orm/postgresql';
import { type AppConfig, loadConfig } from '#config';
import { createTestDatabase, type TestDatabase } from './test-database.js';

export interface OrmOnTestDatabase {
  orm: MikroORM;
  config: AppConfig;
  db: TestDatabase;
  close(): Promise<void>;
}

/** MikroORM on a new, migrated `*_test` database (adapter specs); `close` drops it. */
export async function ormOnTestDatabase(label: string): Promise<OrmOnTestDatabase> {
  // Loaded here, not at the top: every suite imports #testing, few need the ORM.
  const [{ MikroORM }, { createOrmConfig, migrateDatabase }] = await Promise.all([
    import('@mikro-orm/postgresql'),
    import('#persistence'),
  ]);
  const db = await createTestDatabase(label, { migrated: true });
  const config = loadConfig({ DATABASE_URL: db.url, LOG_LEVEL: 'silent' });
  await migrateDatabase(config);
  const orm = await MikroORM.init(createOrmConfig(config));
  return {
    orm,
    config,
    db,
    close: async () => {
      await orm.close(true);
      await db.drop();
    },
  };
}
