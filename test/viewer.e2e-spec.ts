import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import sharp from 'sharp';
import { launchBrowser } from '#testing';
import { ADMIN_EMAIL, ADMIN_PASSWORD, type ApiHarness, startApi } from './support/api-harness.js';
import { followEvents } from './support/tiles.js';
import { upload } from './support/uploads.js';
import { osdDrawerType } from './support/web-app.js';

/**
 * The shipped viewer page in real Chromium: sign in, pick the tile set, and the mosaic
 * OpenSeadragon draws from our tiles shows the panorama: the right colours where they
 * belong, at the overview and zoomed to full resolution, with no tile failing to load.
 */
let api: ApiHarness;
let browser: Browser;
let page: Page;
let tileSetId: string;

/** 4000x1000: left half red, right half blue, a green band across the middle. */
async function panorama(): Promise<Buffer> {
  const [w, h] = [4000, 1000];
  const pixels = Buffer.alloc(w * h * 3);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const i = (y * w + x) * 3;
      const band = y > 450 && y < 550;
      pixels[i] = !band && x < w / 2 ? 220 : 0;
      pixels[i + 1] = band ? 200 : 0;
      pixels[i + 2] = !band && x >= w / 2 ? 220 : 0;
    }
  }
  return sharp(pixels, { raw: { width: w, height: h, channels: 3 } })
    .png()
    .toBuffer();
}

beforeAll(async () => {
  api = await startApi();
  const admin = await api.adminClient();
  const uploaded = await upload(admin, await panorama(), {
    filename: 'stripes.png',
    fields: { title: 'Stripes', tileFormat: 'png' },
  });
  tileSetId = uploaded.data!.tileSets[0].id;
  const token = (await api.client().POST('/v1/auth/login', { body: { email: ADMIN_EMAIL, password: ADMIN_PASSWORD } }))
    .data!.accessToken;
  expect((await followEvents(`${api.baseUrl}/v1/tilesets/${tileSetId}/events`, token)).at(-1)?.event).toBe('ready');
  browser = await launchBrowser();
  page = await browser.newPage({ viewport: { width: 1200, height: 700 } });
});
afterAll(async () => {
  await browser?.close();
  await api?.close();
});

const fullyLoaded = () =>
  page.waitForFunction(
    () => {
      // Until OpenSeadragon is assigned, window.viewer is the <div id="viewer"> (named access).
      const item = (
        globalThis as unknown as {
          viewer?: { world?: { getItemAt(i: number): { getFullyLoaded(): boolean } | undefined } };
        }
      ).viewer?.world?.getItemAt(0);
      return item?.getFullyLoaded() === true;
    },
    undefined,
    { timeout: 30_000 },
  );

async function colourAt(x: number, y: number): Promise<[number, number, number]> {
  const shot = await page.locator('#viewer').screenshot();
  const { data, info } = await sharp(shot).raw().toBuffer({ resolveWithObject: true });
  const i = (Math.round(y * info.height) * info.width + Math.round(x * info.width)) * info.channels;
  return [data[i], data[i + 1], data[i + 2]];
}

it('signs in, lists the panorama, and shows its mosaic at every zoom', async () => {
  const problems: string[] = [];
  page.on('console', (m) => m.type() === 'error' && problems.push(m.text()));
  page.on('requestfailed', (r) => problems.push(`failed: ${r.url()}`));
  page.on('response', (r) => r.status() >= 400 && problems.push(`${r.status()} ${new URL(r.url()).pathname}`));
  const tilePaths: string[] = [];
  page.on('request', (r) => r.url().includes('/image_files/') && tilePaths.push(new URL(r.url()).pathname));

  await page.goto(`${api.baseUrl}/viewer`);
  await page.fill('input[name=email]', ADMIN_EMAIL);
  await page.fill('input[name=password]', ADMIN_PASSWORD);
  await page.click('button[type=submit]');
  await page.locator('#panoramas a', { hasText: '256px png: ready' }).click();
  await page.waitForURL(`**/viewer?tileset=${tileSetId}`);
  await fullyLoaded();
  // Signed in: the form is gone (a display rule once beat `hidden`).
  expect(await page.locator('#sign-in').isVisible()).toBe(false);
  // Tiles come through a share link: no header, so an expiring access token cannot stop them.
  expect(tilePaths.length).toBeGreaterThan(0);
  expect(tilePaths.every((p) => p.startsWith('/v1/s/'))).toBe(true);
  // Canvas, as the web app's (see web/assets/viewers.js).
  expect(await osdDrawerType(page)).toBe('canvas');
  await page.locator('#viewer').screenshot({ path: 'dist/viewer.png' });

  // Overview: the image fills the width, centred vertically (aspect 4:1).
  const [leftR, , leftB] = await colourAt(0.25, 0.42);
  const [rightR, , rightB] = await colourAt(0.75, 0.42);
  const [, bandG] = await colourAt(0.5, 0.5);
  expect(leftR).toBeGreaterThan(150);
  expect(leftB).toBeLessThan(60);
  expect(rightB).toBeGreaterThan(150);
  expect(rightR).toBeLessThan(60);
  expect(bandG).toBeGreaterThan(120);

  // Full resolution and beyond, at the red/blue seam: still the right colours, tiles loaded.
  await page.evaluate(() => {
    const v = (
      globalThis as unknown as {
        viewer: {
          viewport: {
            zoomTo(z: number, p?: unknown, i?: boolean): void;
            panTo(p: unknown, i?: boolean): void;
            getMaxZoom(): number;
          };
        };
      }
    ).viewer;
    const OSD = (globalThis as unknown as { OpenSeadragon: { Point: new (x: number, y: number) => unknown } })
      .OpenSeadragon;
    v.viewport.panTo(new OSD.Point(0.5, 0.1), true);
    v.viewport.zoomTo(v.viewport.getMaxZoom(), undefined, true);
  });
  await fullyLoaded();
  const [seamLeftR] = await colourAt(0.3, 0.5);
  const [, , seamRightB] = await colourAt(0.7, 0.5);
  expect(seamLeftR).toBeGreaterThan(150);
  expect(seamRightB).toBeGreaterThan(150);
  expect(problems).toEqual([]);
});

it('a stock OpenSeadragon page on another origin shows the mosaic from the IIIF share link alone', async () => {
  const admin = await api.adminClient();
  const { data } = await admin.POST('/v1/tilesets/{id}/share', { params: { path: { id: tileSetId } }, body: {} });
  const osd = createRequire(import.meta.url).resolve('openseadragon/build/openseadragon/openseadragon.min.js');
  const dir = await mkdtemp(join(tmpdir(), 'tessera-osd-'));
  const html = join(dir, 'index.html');
  // A plain file: no Tessera code, no token, only the info.json URL. Its origin is "null", so
  // the tiles are cross-origin: OpenSeadragon's usual setting for IIIF servers that send CORS.
  await writeFile(
    html,
    `<!doctype html><html><body style="margin:0"><div id="viewer" style="width:1200px;height:700px;background:#000"></div>
<script src="${pathToFileURL(osd).href}"></script>
<script>window.viewer = OpenSeadragon({ id: 'viewer', tileSources: ${JSON.stringify(`${data!.iiifUrl}/info.json`)}, showNavigationControl: false, crossOriginPolicy: 'Anonymous' });</script>
</body></html>`,
  );
  const stock = await browser.newPage({ viewport: { width: 1200, height: 700 } });
  const failures: string[] = [];
  stock.on('response', (r) => r.status() >= 400 && failures.push(`${r.status()} ${r.url()}`));
  stock.on('requestfailed', (r) => failures.push(`failed: ${r.url()}`));
  stock.on('console', (m) => m.type() === 'error' && failures.push(m.text()));
  const iiifImages: string[] = [];
  stock.on('request', (r) => r.url().includes('/iiif/') && !r.url().endsWith('info.json') && iiifImages.push(r.url()));
  try {
    await stock.goto(pathToFileURL(html).href);
    await stock.waitForFunction(
      () =>
        (
          globalThis as unknown as { viewer?: { world?: { getItemAt(i: number): { getFullyLoaded(): boolean } } } }
        ).viewer?.world
          ?.getItemAt(0)
          ?.getFullyLoaded() === true,
      undefined,
      { timeout: 30_000 },
    );
    const shot = await stock.locator('#viewer').screenshot();
    const { data: px, info } = await sharp(shot).raw().toBuffer({ resolveWithObject: true });
    const at = (x: number, y: number) => {
      const i = (Math.round(y * info.height) * info.width + Math.round(x * info.width)) * info.channels;
      return [px[i], px[i + 1], px[i + 2]];
    };
    expect(at(0.25, 0.42)[0]).toBeGreaterThan(150); // red half
    expect(at(0.75, 0.42)[2]).toBeGreaterThan(150); // blue half
    expect(at(0.5, 0.5)[1]).toBeGreaterThan(120); // green band
    expect(iiifImages.length).toBeGreaterThan(0);
    expect(failures).toEqual([]);
  } finally {
    await stock.close();
    await rm(dir, { recursive: true, force: true });
  }
});
