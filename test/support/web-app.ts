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

/**
 * The drawer of the OpenSeadragon viewer our pages keep in `globalThis.viewer` ('canvas' or
 * 'webgl'): they ask for canvas (web/assets/viewers.js says why).
 */
export function osdDrawerType(page: Page): Promise<string> {
  return page.evaluate(() =>
    (globalThis as unknown as { viewer: { drawer: { getType(): string } } }).viewer.drawer.getType(),
  );
}
