import { chooseTestChromium, chooseTestDatabaseServer, makeMigratedTemplate } from './test-services.mjs';

/** Once per jest run, before any worker starts (see test-services.mjs). */
export default async function globalSetup() {
  await chooseTestDatabaseServer();
  await makeMigratedTemplate();
  await chooseTestChromium();
}
