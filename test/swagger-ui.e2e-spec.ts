import type { Browser, Page } from 'playwright-core';
import { launchBrowser, makeJpeg } from '#testing';
import { ADMIN_EMAIL, ADMIN_PASSWORD, type ApiHarness, startApi } from './support/api-harness.js';

/**
 * What an admin does in Swagger UI, in a real (Debian) Chromium: sign in with "Try it out",
 * paste the token into Authorize, call a protected route, make an API key and use it instead
 * (the uploads below go with it). Proves the UI loads under our CSP, both schemes are wired, and public/protected routes are marked as the guard treats them.
 */

let api: ApiHarness;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  api = await startApi();
  browser = await launchBrowser();
  page = await browser.newPage();
});
afterAll(async () => {
  await browser?.close();
  await api?.close();
});

async function tryOperation(operationDomId: string, body?: string): Promise<{ status: string; text: string }> {
  const operation = page.locator(`#${operationDomId}`);
  await operation.locator('.opblock-summary').click();
  // tryItOutEnabled is on: the editor is already open (the button reads "Cancel").
  await expect(operation.locator('.try-out__btn').innerText()).resolves.toMatch(/cancel/i);
  if (body !== undefined) await operation.locator('textarea.body-param__text').fill(body);
  await operation.locator('.execute').click();
  const row = operation.locator('.live-responses-table tbody .response').first();
  await row.waitFor();
  return {
    status: (await row.locator('.response-col_status').innerText()).trim(),
    text: await row.locator('.response-col_description').innerText(),
  };
}

it('lets an admin sign in, authorize and call a protected route', async () => {
  const consoleErrors: string[] = [];
  page.on('console', (message) => message.type() === 'error' && consoleErrors.push(message.text()));
  await page.goto(`${api.baseUrl}/docs`);
  await page.locator('#operations-auth-login').waitFor();

  // Protected routes show a lock, public ones do not.
  await expect(page.locator('#operations-users-getCurrentUser .authorization__btn').count()).resolves.toBe(1);
  await expect(page.locator('#operations-auth-login .authorization__btn').count()).resolves.toBe(0);

  const login = await tryOperation(
    'operations-auth-login',
    JSON.stringify({ email: ADMIN_EMAIL, password: ADMIN_PASSWORD }),
  );
  expect(login.status).toBe('200');
  const accessToken = /"accessToken": "([^"]+)"/.exec(login.text)?.[1];
  expect(accessToken).toBeTruthy();

  await page.locator('.auth-wrapper .authorize').click();
  const bearer = page.locator('.modal-ux .auth-container').filter({ has: page.locator('#auth-bearer-value') });
  await bearer.locator('#auth-bearer-value').fill(accessToken!);
  await bearer.locator('.auth-btn-wrapper .authorize').click();
  await page.locator('.modal-ux .btn-done').first().click();

  const me = await tryOperation('operations-users-getCurrentUser');
  expect(me.status).toBe('200');
  expect(me.text).toContain(ADMIN_EMAIL);

  // An API key made here, then used instead of the token (X-API-Key) by the rest of this file.
  const created = await tryOperation(
    'operations-api-keys-createApiKey',
    JSON.stringify({ name: 'Swagger UI', scopes: ['read', 'write'] }),
  );
  expect(created.status).toBe('201');
  const secret = /"secret": "([^"]+)"/.exec(created.text)?.[1];
  expect(secret).toMatch(/^tsk_/);
  await page.locator('.auth-wrapper .authorize').click();
  await page.locator('.modal-ux button[aria-label="Remove authorization"]').click(); // the bearer token's
  const apiKey = page.locator('.modal-ux .auth-container').filter({ has: page.locator('#api_key_value') });
  await apiKey.locator('#api_key_value').fill(secret!);
  await apiKey.locator('.auth-btn-wrapper .authorize').click();
  await page.locator('.modal-ux .btn-done').first().click();
  // Keys are not managed with a key: this answer shows the key, not the token, was sent.
  const keys = await tryOperation('operations-api-keys-listApiKeys');
  expect(keys.status).toBe('403');
  expect(keys.text).toContain('INSUFFICIENT_SCOPE');
  expect(consoleErrors.filter((e) => /Content Security Policy|Refused/.test(e))).toEqual([]);
});

it('uploads a panorama through the file picker, then lists it', async () => {
  const upload = page.locator('#operations-panoramas-uploadPanorama');
  await upload.locator('.opblock-summary').click();
  await upload
    .locator('input[type=file]')
    .setInputFiles({ name: 'tiny-pano.jpg', mimeType: 'image/jpeg', buffer: await makeJpeg(400, 200) });
  await upload.locator('.execute').click();
  const row = upload.locator('.live-responses-table tbody .response').first();
  await row.waitFor();
  const answer = await row.locator('.response-col_description').innerText();
  expect((await row.locator('.response-col_status').innerText()).trim()).toBe('202');
  expect(answer).toContain('"originalFilename": "tiny-pano.jpg"');
  // The optional text fields were left as the form shows them: nothing made up gets stored
  // (Swagger UI once pre-filled them with the literal "string").
  expect(answer).toContain('"title": "tiny-pano"');
  expect(answer).toContain('"description": null');
  expect(answer).toContain('"tileSize": 256');

  const list = await tryOperation('operations-panoramas-listPanoramas');
  expect(list.status).toBe('200');
  expect(list.text).toContain('tiny-pano');
  await page.screenshot({ path: 'dist/swagger-ui.png', fullPage: false });
});

it('compresses a photo through the file picker and shows the smaller image in the response', async () => {
  const compress = page.locator('#operations-images-compressImage');
  await compress.locator('.opblock-summary').click();
  await compress
    .locator('input[type=file]')
    .setInputFiles({ name: 'photo.jpg', mimeType: 'image/jpeg', buffer: await makeJpeg(1600, 900, 95) });
  // Nothing made up is pre-filled (Swagger UI would otherwise put 16384 in width).
  for (const field of ['width', 'height', 'quality', 'effort']) {
    await expect(compress.locator(`tr[data-property-name="${field}"] input[type=text]`).inputValue()).resolves.toBe('');
  }
  await compress.locator('tr[data-property-name="width"] input[type=text]').fill('400');
  await compress.locator('tr[data-property-name="format"] select').selectOption('webp');
  await compress.locator('.execute').click();
  const row = compress.locator('.live-responses-table tbody .response').first();
  await row.waitFor();
  expect((await row.locator('.response-col_status').innerText()).trim()).toBe('200');
  // Swagger UI renders an image/* answer (not sent as an attachment) as an <img>.
  const image = row.locator('.response-col_description img');
  await image.waitFor();
  const size = await image.evaluate((img) => {
    const i = img as unknown as { naturalWidth: number; naturalHeight: number };
    return [i.naturalWidth, i.naturalHeight];
  });
  expect(size).toEqual([400, 225]);
  const headers = await row
    .locator('.response-col_description .microlight, .response-col_description pre')
    .allInnerTexts();
  expect(headers.join('\n')).toMatch(/x-result-width: 400/i);
  await compress.screenshot({ path: 'dist/swagger-compress.png' });
});
