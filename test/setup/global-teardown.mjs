import { dropMigratedTemplate, stopTestDatabaseServer } from './test-services.mjs';

export default async function globalTeardown() {
  await dropMigratedTemplate();
  await stopTestDatabaseServer();
}
