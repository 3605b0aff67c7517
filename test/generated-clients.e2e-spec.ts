import { rm } from 'node:fs/promises';
import { resolve } from 'node:path';
import { generate as orval } from 'orval';
import { generateApi } from 'swagger-typescript-api';
import type { Browser } from 'playwright-core';
import { launchBrowser, makeJpeg } from '#testing';
import { ADMIN_EMAIL, ADMIN_PASSWORD, type ApiHarness, startApi } from './support/api-harness.js';
import { WebhookReceiver } from './support/webhook-receiver.js';

/**
 * What other teams generate from openapi.json, used as they would, with the generators'
 * defaults and no hand-written adapter: orval (its fetch client) and swagger-typescript-api.
 * Each runs the integrator's flow with an API key: upload, wait for ready on the events route
 * (no polling), fetch a tile, download a rendition. (hey-api: second-client.e2e-spec.ts.)
 * Then the integrator's night: 50 panoramas uploaded into a collection with the orval
 * client, one signed webhook per finished tile set and one for the collection, while an
 * admin watches the collection's progress bar in the web app.
 */
const OUTPUT = resolve('test/.generated');
let api: ApiHarness;
let apiKey: string;
let browser: Browser | undefined;
const receiver = new WebhookReceiver();

beforeAll(async () => {
  api = await startApi({
    RENDITION_PRESETS: 'thumb:160:webp',
    THROTTLE_LIMIT: '100000',
    WEBHOOK_ALLOWED_CIDRS: '127.0.0.1/32',
    // Longer than any pause between two uploads of a batch on a loaded machine: a shorter one
    // could call the collection complete between them (a second completion would follow).
    COLLECTION_SETTLE_SECONDS: '5',
  });
  const owner = await api.userClient();
  const made = await owner.client.POST('/v1/api-keys', {
    body: { name: 'generated clients', scopes: ['read', 'write'] },
  });
  apiKey = made.data!.secret;
  await rm(`${OUTPUT}/orval`, { recursive: true, force: true });
  await rm(`${OUTPUT}/sta`, { recursive: true, force: true });
  await orval({
    input: { target: resolve('openapi.json') },
    output: { target: `${OUTPUT}/orval/tessera.ts`, client: 'fetch', mode: 'single', baseUrl: api.baseUrl },
  });
  await generateApi({ input: resolve('openapi.json'), output: `${OUTPUT}/sta`, fileName: 'tessera.ts', silent: true });
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await receiver.stop();
  await api?.close();
  await rm(`${OUTPUT}/orval`, { recursive: true, force: true });
  await rm(`${OUTPUT}/sta`, { recursive: true, force: true });
});

/** A different image each call (the same bytes twice would be the same panorama). */
let width = 400;
const jpeg = () => makeJpeg((width += 8), 200);
/** The last `event:` name of a finished Server-Sent Events text. */
const lastEvent = (text: string) => [...text.matchAll(/^event: (\w+)$/gm)].at(-1)?.[1];

/** The slice of orval's output this test calls (it does not exist when tsc checks the tests). */
type OrvalAnswer = { data: unknown; status: number; headers: Headers };
interface Orval {
  createCollection(body: Record<string, unknown>, options?: RequestInit): Promise<OrvalAnswer>;
  createWebhook(body: Record<string, unknown>, options?: RequestInit): Promise<OrvalAnswer>;
  uploadPanorama(body: Record<string, unknown>, options?: RequestInit): Promise<OrvalAnswer>;
  streamTileSetEvents(id: string, options?: RequestInit): Promise<OrvalAnswer>;
  streamRenditionEvents(id: string, options?: RequestInit): Promise<OrvalAnswer>;
  getTile(id: string, level: string, tile: string, options?: RequestInit): Promise<OrvalAnswer>;
  downloadRendition(id: string, options?: RequestInit): Promise<OrvalAnswer>;
  getPanorama(id: string, options?: RequestInit): Promise<OrvalAnswer>;
}

it('orval: uploads with an API key, follows the events to ready, reads a tile and a rendition', async () => {
  const client = (await import(`${OUTPUT}/orval/tessera.ts`)) as Orval;
  const auth = { headers: { 'X-API-Key': apiKey } };

  const uploaded = await client.uploadPanorama(
    { file: new Blob([new Uint8Array(await jpeg())], { type: 'image/jpeg' }), title: 'From orval' },
    auth,
  );
  expect(uploaded.status).toBe(202);
  const panorama = uploaded.data as {
    id: string;
    tileSets: { id: string }[];
    renditions: { id: string; name: string }[];
  };
  const tileSetId = panorama.tileSets[0].id;

  const events = await client.streamTileSetEvents(tileSetId, auth);
  expect(events.status).toBe(200);
  expect(lastEvent(events.data as string)).toBe('ready');

  const tile = await client.getTile(tileSetId, '0', '0_0.jpeg', auth);
  expect(tile.status).toBe(200);
  expect(tile.data).toBeInstanceOf(Blob);
  expect((tile.data as Blob).type).toBe('image/jpeg');
  expect((tile.data as Blob).size).toBeGreaterThan(100);

  const thumb = panorama.renditions.find((r) => r.name === 'thumb')!;
  expect(lastEvent((await client.streamRenditionEvents(thumb.id, auth)).data as string)).toBe('ready');
  const file = await client.downloadRendition(thumb.id, auth);
  expect(file.status).toBe(200);
  expect(file.data).toBeInstanceOf(Blob);
  expect((file.data as Blob).type).toBe('image/webp');

  // A problem answer is read as JSON, typed by its status.
  const missing = await client.getPanorama('00000000-0000-4000-8000-000000000000', auth);
  expect(missing).toMatchObject({ status: 404, data: { code: 'PANORAMA_NOT_FOUND' } });
});

/** The slice of swagger-typescript-api's output this test calls. */
type StaAnswer = Response & { data: unknown; error: unknown };
interface Sta {
  Api: new (config: { baseUrl: string; baseApiParams?: RequestInit }) => {
    v1: {
      uploadPanorama(body: Record<string, unknown>): Promise<StaAnswer>;
      streamTileSetEvents(id: string): Promise<StaAnswer>;
      streamRenditionEvents(id: string): Promise<StaAnswer>;
      getTile(id: string, level: string, tile: string): Promise<StaAnswer>;
      downloadRendition(id: string): Promise<StaAnswer>;
      getPanorama(id: string): Promise<StaAnswer>;
    };
  };
}

it('swagger-typescript-api: the same flow with its defaults', async () => {
  const { Api } = (await import(`${OUTPUT}/sta/tessera.ts`)) as Sta;
  const client = new Api({ baseUrl: api.baseUrl, baseApiParams: { headers: { 'X-API-Key': apiKey } } }).v1;

  const uploaded = await client.uploadPanorama({
    file: new File([new Uint8Array(await jpeg())], 'sta.jpg', { type: 'image/jpeg' }),
    title: 'From swagger-typescript-api',
  });
  expect(uploaded.status).toBe(202);
  const panorama = uploaded.data as { tileSets: { id: string }[]; renditions: { id: string; name: string }[] };
  const tileSetId = panorama.tileSets[0].id;

  // An event stream is the Response itself: its body is read as it comes.
  const events = await client.streamTileSetEvents(tileSetId);
  expect(events.headers.get('content-type')).toMatch(/^text\/event-stream/);
  expect(lastEvent(await events.text())).toBe('ready');

  const tile = await client.getTile(tileSetId, '0', '0_0.jpeg');
  expect(tile.data).toBeInstanceOf(Blob);
  expect((tile.data as Blob).type).toBe('image/jpeg');

  const thumb = panorama.renditions.find((r) => r.name === 'thumb')!;
  expect(lastEvent(await (await client.streamRenditionEvents(thumb.id)).text())).toBe('ready');
  const file = await client.downloadRendition(thumb.id);
  expect(file.data).toBeInstanceOf(Blob);
  expect((file.data as Blob).type).toBe('image/webp');

  // Its client throws the answer of a failed call, the problem parsed.
  await expect(client.getPanorama('00000000-0000-4000-8000-000000000000')).rejects.toMatchObject({
    status: 404,
    error: { code: 'PANORAMA_NOT_FOUND' },
  });
});

it("the integrator's night: 50 panoramas into a collection, a webhook for each and one for the collection, watched live", async () => {
  const client = (await import(`${OUTPUT}/orval/tessera.ts`)) as Orval;
  const auth = { headers: { 'X-API-Key': apiKey } };
  const collection = (await client.createCollection({ name: 'Nightly import' }, auth)).data as { id: string };
  receiver.secret = (
    (
      await client.createWebhook(
        { url: await receiver.start(), events: ['tileset.ready', 'tileset.failed', 'collection.completed'] },
        auth,
      )
    ).data as { secret: string }
  ).secret;

  // A colleague (an admin) opens the collection's page and watches.
  browser = await launchBrowser();
  const page = await browser.newPage();
  await page.goto(`${api.baseUrl}/app`);
  await page.fill('#sign-in input[name=email]', ADMIN_EMAIL);
  await page.fill('#sign-in input[name=password]', ADMIN_PASSWORD);
  await page.click('#sign-in button[type=submit]');
  await page.locator('#library-view').waitFor();
  await page.goto(`${api.baseUrl}/app#/c/${collection.id}`);
  await page.locator('#collection-summary', { hasText: '0 panoramas' }).waitFor();

  const ids: string[] = [];
  for (let i = 0; i < 50; i++) {
    const uploaded = await client.uploadPanorama(
      {
        file: new Blob([new Uint8Array(await makeJpeg(96 + 2 * i, 48))], { type: 'image/jpeg' }),
        title: `Night ${i + 1}`,
        collectionId: collection.id,
        presets: 'none',
      },
      auth,
    );
    expect(uploaded.status).toBe(202);
    ids.push((uploaded.data as { id: string }).id);
  }

  await receiver.waitFor((got) => got.some((r) => r.type === 'collection.completed'));
  await page.locator('#collection-summary', { hasText: 'Complete · 50 panoramas' }).waitFor();
  expect(
    await page.locator('#collection-progress').evaluate((bar) => (bar as unknown as { value: number }).value),
  ).toBe(1);

  const ready = receiver.ofType('tileset.ready');
  expect(new Set(ready.map((r) => r.data.panoramaId))).toEqual(new Set(ids));
  expect(ready).toHaveLength(50);
  expect(receiver.ofType('collection.completed')).toHaveLength(1);
  expect(receiver.ofType('collection.completed')[0].data).toMatchObject({
    collectionId: collection.id,
    panoramas: 50,
    allReady: true,
  });
  expect(receiver.received.every((r) => r.verified)).toBe(true);
}, 180_000);
