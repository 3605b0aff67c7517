/**
 * npm run migrate            apply pending migrations
 * npm run migration:create   write a migration for the difference between the entity
 *                            schemas and the (migrated) database into src/migrations
 */
import '#supported-node';
import { createBootstrapLogger, loadConfigOrExit, loadEnvFile } from '#config';
import { migrateDatabase, withOrm } from '../database-migrations.js';
import { openDatabaseOrExit } from '../database-server/open-database.js';

loadEnvFile();
const settings = loadConfigOrExit();
const database = await openDatabaseOrExit(settings, createBootstrapLogger(settings));
const config = database.config;
const command = process.argv[2] ?? 'up';

try {
  if (command === 'up') {
    const applied = await migrateDatabase(config);
    console.log(applied.length ? `Applied: ${applied.join(', ')}` : 'Database is up to date.');
  } else if (command === 'create') {
    await migrateDatabase(config);
    const result = await withOrm(config, (orm) => orm.migrator.create(undefined, false, false, process.argv[3]));
    console.log(
      result.fileName ? `Wrote ${result.fileName}; add it to MIGRATIONS in migrations/index.ts.` : 'No schema changes.',
    );
  } else {
    console.error(`Unknown command "${command}". Use "up" or "create".`);
    process.exitCode = 2;
  }
} finally {
  await database.close();
}
