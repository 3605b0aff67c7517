import { stopTestDatabaseServer } from './test-services.mjs';

export default async function globalTeardown() {
  await stopTestDatabaseServer();
}
