import type { Page } from 'playwright-core';

/** Signs in through the web app's own form at `baseUrl` and waits for the library. */
export async function signInToWebApp(page: Page, baseUrl: string, email: string, password: string): Promise<void> {
  await page.goto(`${baseUrl}/`);
  await page.waitForURL('**/app');
  await page.fill('#sign-in input[name=email]', email);
  await page.fill('#sign-in input[name=password]', password);
  await page.click('#sign-in button[type=submit]');
  await page.locator('#library-view').waitFor();
}
