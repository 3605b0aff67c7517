import { readFile } from 'node:fs/promises';
import http from 'node:http';
import { createRequire } from 'node:module';
import { dirname, extname, join, normalize } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import sharp from 'sharp';
import { bandedSphereJpeg, launchBrowser, npmPackageFile } from '#testing';
import { ShareLinks } from '../apps/api/src/share/share-links.js';
import { DEFAULT_RENDITION_PRESETS } from '#config';
import { type ApiHarness, startApi } from './support/api-harness.js';
import { followEvents } from './support/tiles.js';
import { upload } from './support/uploads.js';

/**
 * Share links pasted into another site: a page served from a second origin (its own port)
 * loads them with stock viewers at their default settings (OpenSeadragon, Mirador 4,
 * Universal Viewer 4, Photo Sphere Viewer, Leaflet) and with a plain <img>, in real
 * Chromium. Default settings mean no-CORS loads (OpenSeadragon draws <img> tiles unless told
 * `crossOriginPolicy`), which the browser drops unless the answer allows cross-origin use.
 * Checked by the pixels on screen, not by status codes.
 */
let api: ApiHarness;
let browser: Browser;
let site: http.Server;
let siteUrl: string;
let share: { dziUrl: string; iiifUrl: string; iiifManifestUrl: string };
let imageUrl: string;
let sphereShare: { dziUrl: string };
let owner: Awaited<ReturnType<ApiHarness['userClient']>>;
let tileSetId: string;
let panoramaId: string;
let spherePanoramaId: string;
/** The 360° panorama's flat (Deep Zoom) tile set, cut beside its sphere tile set. */
let sphereFlatTileSetId: string;
const tokenOf = (url: string) => url.split('/s/')[1].split('/')[0];

const require = createRequire(import.meta.url);
const OSD = join(dirname(require.resolve('openseadragon')), 'openseadragon.min.js');
const LEAFLET = dirname(require.resolve('leaflet'));
const THREE = dirname(require.resolve('three'));
const PSV = dirname(require.resolve('@photo-sphere-viewer/core'));
const PSV_TILES = dirname(require.resolve('@photo-sphere-viewer/equirectangular-tiles-adapter'));
/** Mirador 4's self-contained bundle (the package is not installed: see npmPackageFile). */
const MIRADOR = {
  name: 'mirador',
  version: '4.0.0',
  integrity: 'sha512-uWsE9e2oqSc/lUu+vVwDGhTsycuhGsfZ2KfX6CLfXiT3wgGy6qT9+q5M3V9Zz72hkdIgsJugKesaowmRtYmvrA==',
  file: 'dist/mirador.min.js',
};
/** Universal Viewer 4's browser build: a script that loads its chunks, styles and icons beside it. */
const UNIVERSAL_VIEWER = {
  name: 'universalviewer',
  version: '4.4.0',
  integrity: 'sha512-9OVs6uCzeQYw50jg8k2vEGq6hQFu7kEv9OOAlmqVH9duhrpg1xlIqcMIb2rhNQnAxTQd3R13gxJze9UYkiwdzg==',
  file: 'dist/',
};
const TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.html': 'text/html; charset=utf-8',
};

/** 2000x1000: left half red, right half blue. */
async function halves(): Promise<Buffer> {
  const [w, h] = [2000, 1000];
  const pixels = Buffer.alloc(w * h * 3);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      const i = (y * w + x) * 3;
      pixels[i] = x < w / 2 ? 220 : 0;
      pixels[i + 2] = x >= w / 2 ? 220 : 0;
    }
  return sharp(pixels, { raw: { width: w, height: h, channels: 3 } })
    .png()
    .toBuffer();
}

/** Another site: the page given, and OpenSeadragon's script from its own files. */
async function startSite(): Promise<void> {
  const files: Record<string, [Buffer, string]> = {
    '/openseadragon.min.js': [await readFile(OSD), 'text/javascript'],
    '/leaflet.js': [await readFile(join(LEAFLET, 'leaflet.js')), 'text/javascript'],
    '/leaflet.css': [await readFile(join(LEAFLET, 'leaflet.css')), 'text/css'],
    '/three.module.min.js': [await readFile(join(THREE, 'three.module.min.js')), 'text/javascript'],
    '/three.core.min.js': [await readFile(join(THREE, 'three.core.min.js')), 'text/javascript'],
    '/psv-core.js': [await readFile(join(PSV, 'index.module.js')), 'text/javascript'],
    '/psv-core.css': [await readFile(join(PSV, 'index.css')), 'text/css'],
    '/psv-tiles.js': [await readFile(join(PSV_TILES, 'index.module.js')), 'text/javascript'],
    // (Its bundle is UTF-8, and says nothing: read as the page's default encoding, it does not parse.)
    '/mirador.min.js': [await readFile(await npmPackageFile(MIRADOR)), 'text/javascript; charset=utf-8'],
  };
  const uv = await npmPackageFile(UNIVERSAL_VIEWER);
  site = http.createServer((req, res) => {
    const path = new URL(req.url!, 'http://site').pathname;
    if (path.startsWith('/uv/')) {
      const local = join(uv, normalize(path.slice('/uv/'.length)));
      if (!local.startsWith(uv)) return void res.writeHead(404).end();
      void readFile(local).then(
        (body) => res.writeHead(200, { 'content-type': TYPES[extname(local)] ?? 'application/octet-stream' }).end(body),
        () => res.writeHead(404).end(),
      );
      return;
    }
    const file = files[req.url!];
    if (file) {
      res.writeHead(200, { 'content-type': file[1] }).end(file[0]);
      return;
    }
    const html = new URL(req.url!, 'http://site').searchParams.get('html') ?? '';
    res.writeHead(200, { 'content-type': 'text/html' }).end(html);
  });
  await new Promise<void>((done) => site.listen(0, '127.0.0.1', done));
  // Another origin: same host, another port.
  siteUrl = `http://127.0.0.1:${(site.address() as { port: number }).port}/`;
}

const pageWith = async (body: string): Promise<Page> => {
  const page = await browser.newPage({ viewport: { width: 800, height: 500 } });
  const failures: string[] = [];
  // A viewer cancels loads it no longer needs (ERR_ABORTED); a blocked answer is another error.
  page.on('requestfailed', (r) => {
    if (r.failure()?.errorText !== 'net::ERR_ABORTED') failures.push(`${r.url()}: ${r.failure()?.errorText}`);
  });
  (page as unknown as { failures: string[] }).failures = failures;
  const requested: string[] = [];
  page.on('request', (r) => requested.push(r.url()));
  (page as unknown as { requested: string[] }).requested = requested;
  await page.goto(`${siteUrl}?html=${encodeURIComponent(`<!doctype html><body style="margin:0">${body}</body>`)}`);
  return page;
};
const failuresOf = (page: Page) => (page as unknown as { failures: string[] }).failures;
const requestedBy = (page: Page) => (page as unknown as { requested: string[] }).requested;

async function colourAt(page: Page, selector: string, x: number, y: number): Promise<number[]> {
  const shot = await page.locator(selector).screenshot();
  const { data, info } = await sharp(shot).raw().toBuffer({ resolveWithObject: true });
  const i = (Math.round(y * (info.height - 1)) * info.width + Math.round(x * (info.width - 1))) * info.channels;
  return [data[i], data[i + 1], data[i + 2]];
}
const isNear = (actual: number[], expected: number[]) => actual.every((v, i) => Math.abs(v - expected[i]) < 40);

/**
 * Waits until the colour at (x, y) of `selector` is near `expected`: a viewer draws on its
 * next frames after it says its tiles are loaded. Fails with the last colour seen.
 */
async function expectColour(page: Page, selector: string, x: number, y: number, expected: number[]): Promise<void> {
  const deadline = Date.now() + 20_000;
  let last = await colourAt(page, selector, x, y);
  while (!isNear(last, expected) && Date.now() < deadline) {
    await page.waitForTimeout(200);
    last = await colourAt(page, selector, x, y);
  }
  expect(last).toEqual(expected.map((v, i) => (Math.abs(v - last[i]) < 40 ? last[i] : v)));
}

/**
 * OpenSeadragon with its defaults (no crossOriginPolicy), given one tile source URL;
 * `drawer` and `zoom` (applied when it opens, centred on the image) when a test asks.
 */
async function openSeadragon(tileSource: string, view: { drawer?: string; zoom?: number } = {}): Promise<Page> {
  const drawer = view.drawer ? `drawer: '${view.drawer}', ` : '';
  const zoom = view.zoom
    ? `osd.addOnceHandler('open', () => { osd.viewport.zoomTo(${view.zoom}, null, true); ` +
      `osd.viewport.panTo(new OpenSeadragon.Point(0.5, 0.25), true); });`
    : '';
  const page = await pageWith(
    `<div id="osd" style="width:800px;height:400px;background:#fff"></div>
     <script src="/openseadragon.min.js"></script>
     <script>window.osd = OpenSeadragon({ id: 'osd', prefixUrl: '', ${drawer}tileSources: ${JSON.stringify(tileSource)} });
     ${zoom}</script>`,
  );
  await page.waitForFunction(() => {
    const item = (
      globalThis as unknown as { osd?: { world: { getItemAt(i: number): { getFullyLoaded(): boolean } } } }
    ).osd?.world.getItemAt(0);
    return item?.getFullyLoaded() === true;
  });
  // With default options the tiles are no-CORS images, which OpenSeadragon 6's WebGL drawer
  // cannot upload: it draws them through its canvas fallback on its next frame, which in
  // headless Chromium comes only with an input or a redraw (a user's first mouse move does it).
  await page.evaluate(() => (globalThis as unknown as { osd: { forceRedraw(): void } }).osd.forceRedraw());
  return page;
}

beforeAll(async () => {
  api = await startApi({ RENDITION_PRESETS: DEFAULT_RENDITION_PRESETS });
  owner = await api.userClient();
  const uploaded = await upload(owner.client, await halves(), {
    filename: 'halves.png',
    fields: { presets: 'thumb', tileFormat: 'png', overlap: 0 },
  });
  expect(uploaded.response.status).toBe(202);
  tileSetId = uploaded.data!.tileSets[0].id;
  panoramaId = uploaded.data!.id;
  const ready = await followEvents(`${api.baseUrl}/v1/tilesets/${tileSetId}/events`, owner.accessToken);
  expect(ready.at(-1)?.event).toBe('ready');
  const shared = await owner.client.POST('/v1/tilesets/{id}/share', { params: { path: { id: tileSetId } }, body: {} });
  share = shared.data!;

  const thumb = uploaded.data!.renditions[0];
  const made = await followEvents(`${api.baseUrl}/v1/renditions/${thumb.id}/events`, owner.accessToken);
  expect(made.at(-1)?.event).toBe('ready');
  const link = await owner.client.POST('/v1/renditions/{id}/share', { params: { path: { id: thumb.id } }, body: {} });
  imageUrl = link.data!.fileUrl;

  const sphere = await bandedSphereJpeg(); // blue ahead (yaw 0), red behind
  const sphereUpload = await upload(owner.client, sphere, {
    filename: 'sphere.jpg',
    fields: { presets: 'none', projection: 'equirectangular' },
  });
  spherePanoramaId = sphereUpload.data!.id;
  sphereFlatTileSetId = sphereUpload.data!.tileSets.find((s) => s.layout === 'deepzoom')!.id;
  const sphereSet = sphereUpload.data!.tileSets.find((s) => s.layout === 'sphere')!;
  const cut = await followEvents(`${api.baseUrl}/v1/tilesets/${sphereSet.id}/events`, owner.accessToken, 120_000);
  expect(cut.at(-1)?.event).toBe('ready');
  sphereShare = (
    await owner.client.POST('/v1/tilesets/{id}/share', { params: { path: { id: sphereSet.id } }, body: {} })
  ).data!;

  await startSite();
  browser = await launchBrowser();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  site?.close();
  await api?.close();
});

it('shows a shared tile set in stock OpenSeadragon on another site, from its DZI', async () => {
  const page = await openSeadragon(share.dziUrl);
  await expectColour(page, '#osd', 0.3, 0.5, [220, 0, 0]);
  await expectColour(page, '#osd', 0.7, 0.5, [0, 0, 220]);
  expect(failuresOf(page)).toEqual([]);
  await page.close();
});

it('shows it from its IIIF info.json too', async () => {
  const page = await openSeadragon(`${share.iiifUrl}/info.json`);
  await expectColour(page, '#osd', 0.3, 0.5, [220, 0, 0]);
  await expectColour(page, '#osd', 0.7, 0.5, [0, 0, 220]);
  expect(failuresOf(page)).toEqual([]);
  await page.close();
});

it("opens the share link's IIIF Presentation manifest in stock Mirador 4 on another site", async () => {
  const page = await pageWith(
    `<div id="mirador" style="position:relative;width:800px;height:500px"></div>
     <script src="/mirador.min.js"></script>
     <script>Mirador.viewer({ id: 'mirador', windows: [{ manifestId: ${JSON.stringify(share.iiifManifestUrl)} }] });</script>`,
  );
  const canvas = page.locator('#mirador .openseadragon-canvas');
  await canvas.waitFor();
  await expectColour(page, '#mirador .openseadragon-canvas', 0.25, 0.5, [220, 0, 0]);
  await expectColour(page, '#mirador .openseadragon-canvas', 0.75, 0.5, [0, 0, 220]);
  // Drawn from the image service's tiles (region/size/rotation/quality.format), through the link.
  const tiles = requestedBy(page).filter((url) =>
    /\/v1\/s\/[^/]+\/tilesets\/[^/]+\/iiif\/[^/]+\/[^/]+\/0\/default\.\w+$/.test(url),
  );
  expect(tiles.length).toBeGreaterThan(0);
  // One canvas, named by the manifest's label (the panorama's title).
  expect(await page.locator('#mirador').innerText()).toContain('1 of 1 • halves');
  expect(failuresOf(page)).toEqual([]);
  await page.close();
});

it("opens the share link's IIIF Presentation manifest in stock Universal Viewer 4 on another site", async () => {
  const page = await pageWith(
    `<link rel="stylesheet" href="/uv/uv.css"><script src="/uv/umd/UV.js"></script>
     <div id="uv" class="uv" style="width:800px;height:500px"></div>
     <script>window.uv = UV.init('uv', { manifest: ${JSON.stringify(share.iiifManifestUrl)} });</script>`,
  );
  // The image fills the middle of the viewer (a title bar above, a side panel on the right).
  await expectColour(page, '#uv', 0.25, 0.5, [220, 0, 0]);
  await expectColour(page, '#uv', 0.75, 0.5, [0, 0, 220]);
  expect(await page.locator('#uv').innerText()).toContain('halves'); // the manifest's label
  const tiles = requestedBy(page).filter((url) =>
    /\/v1\/s\/[^/]+\/tilesets\/[^/]+\/iiif\/[^/]+\/[^/]+\/0\/default\.\w+$/.test(url),
  );
  expect(tiles.length).toBeGreaterThan(0);
  expect(failuresOf(page)).toEqual([]);
  await page.close();
});

it("shows a shared 360° panorama in Photo Sphere Viewer on another site, from the link's sphere descriptor", async () => {
  const sphereUrl = sphereShare.dziUrl.replace(/\/image\.dzi$/, '/sphere');
  const page = await pageWith(
    `<link rel="stylesheet" href="/psv-core.css"><div id="psv" style="width:800px;height:400px"></div>
     <script type="importmap">${JSON.stringify({
       imports: {
         three: '/three.module.min.js',
         '@photo-sphere-viewer/core': '/psv-core.js',
         '@photo-sphere-viewer/equirectangular-tiles-adapter': '/psv-tiles.js',
       },
     })}</script>
     <script type="module">
       import { Viewer } from '@photo-sphere-viewer/core';
       import { EquirectangularTilesAdapter } from '@photo-sphere-viewer/equirectangular-tiles-adapter';
       const d = await (await fetch(${JSON.stringify(sphereUrl)})).json();
       window.viewer = new Viewer({
         container: 'psv',
         adapter: EquirectangularTilesAdapter,
         panorama: {
           baseUrl: d.baseUrl,
           levels: d.levels.map(({ width, cols, rows }) => ({ width, cols, rows })),
           tileUrl: (col, row, i) =>
             d.tileUrlTemplate.replace('{level}', d.levels[i].level).replace('{col}', col).replace('{row}', row),
         },
       });
     </script>`,
  );
  await page.locator('#psv canvas').waitFor();
  await expectColour(page, '#psv', 0.5, 0.5, [30, 30, 220]);
  await page.evaluate(() =>
    (globalThis as unknown as { viewer: { rotate(p: { yaw: number; pitch: number }): void } }).viewer.rotate({
      yaw: Math.PI,
      pitch: 0,
    }),
  );
  await expectColour(page, '#psv', 0.5, 0.5, [220, 30, 30]);
  // Drawn from the sphere's tiles through the link, not only from its base image.
  expect(requestedBy(page).some((url) => /\/v1\/s\/[^/]+\/tilesets\/[^/]+\/image_files\//.test(url))).toBe(true);
  expect(failuresOf(page)).toEqual([]);
  await page.close();
});

/** Pixels of the viewer, inside a 20 px margin, away from the flat grey (128) of the image. */
async function offGrey(page: Page): Promise<number> {
  const { data, info } = await sharp(await page.locator('#osd').screenshot())
    .raw()
    .toBuffer({ resolveWithObject: true });
  // Inside the image (its own edges meet the page's white when it fits the viewer whole).
  let off = 0;
  for (let y = 20; y < info.height - 20; y++)
    for (let x = 20; x < info.width - 20; x++)
      if (Math.abs(data[(y * info.width + x) * info.channels] - 128) > 12) off++;
  return off;
}

it('shows a tile set cut with the default options (no overlap) without seams, at any zoom, in both drawers', async () => {
  // Flat grey: any gap or double-drawn edge between two tiles shows as a line of other pixels.
  const grey = await sharp({ create: { width: 3000, height: 1500, channels: 3, background: '#808080' } })
    .jpeg({ quality: 95 })
    .toBuffer();
  const uploaded = await upload(owner.client, grey, { filename: 'grey.jpg', fields: { presets: 'none' } });
  const [tileSet] = uploaded.data!.tileSets;
  expect(tileSet.overlap).toBe(0);
  expect((await followEvents(`${api.baseUrl}/v1/tilesets/${tileSet.id}/events`, owner.accessToken)).at(-1)?.event).toBe(
    'ready',
  );
  const link = await owner.client.POST('/v1/tilesets/{id}/share', { params: { path: { id: tileSet.id } }, body: {} });
  for (const drawer of ['auto', 'canvas'])
    for (const zoom of [1, 1.37, 2.63, 5.11]) {
      const page = await openSeadragon(link.data!.dziUrl, { drawer, zoom });
      await expectColour(page, '#osd', 0.5, 0.5, [128, 128, 128]); // drawn (the redraw lands on a later frame)
      // Tiles still arriving or not yet redrawn leave holes for a frame or two; a seam stays.
      // Looks again, redrawing, until none is off or the deadline passes (then fails with the count).
      const deadline = Date.now() + 20_000;
      let off = await offGrey(page);
      while (off > 0 && Date.now() < deadline) {
        await page.evaluate(() => (globalThis as unknown as { osd: { forceRedraw(): void } }).osd.forceRedraw());
        await page.waitForTimeout(200);
        off = await offGrey(page);
      }
      expect({ drawer, zoom, off }).toEqual({ drawer, zoom, off: 0 });
      await page.close();
    }
});

it("shows it in a Leaflet map on another site, tiles as plain images (Leaflet's default)", async () => {
  // 2000 x 1000 in 256 px tiles: Deep Zoom level 8 is the whole image in one 250 x 125 tile,
  // Leaflet's zoom 0 in CRS.Simple (a map unit is a pixel at zoom 0).
  const template = share.dziUrl.replace(/\.dzi$/, '_files/{z}/{x}_{y}.png');
  const page = await pageWith(
    `<link rel="stylesheet" href="/leaflet.css"><div id="map" style="width:800px;height:400px"></div>
     <script src="/leaflet.js"></script>
     <script>
       const bounds = [[-125, 0], [0, 250]];
       const map = L.map('map', { crs: L.CRS.Simple, zoomSnap: 0 });
       window.loaded = new Promise((done) =>
         L.tileLayer(${JSON.stringify(template)}, { zoomOffset: 8, maxNativeZoom: 3, bounds, noWrap: true })
           .on('load', done)
           .addTo(map),
       );
       map.fitBounds(bounds);
     </script>`,
  );
  await page.evaluate(() => (globalThis as unknown as { loaded: Promise<void> }).loaded);
  await expectColour(page, '#map', 0.3, 0.5, [220, 0, 0]);
  await expectColour(page, '#map', 0.7, 0.5, [0, 0, 220]);
  expect(failuresOf(page)).toEqual([]);
  await page.close();
});

it("shows a shared rendition in a plain <img> on another site, and lets that site's scripts read it with CORS", async () => {
  const page = await pageWith(`<img id="img" src="${imageUrl}">`);
  const img = page.locator('#img');
  await img.evaluate((e: { complete: boolean; decode(): Promise<void> }) => (e.complete ? undefined : e.decode()));
  expect(await img.evaluate((e: { naturalWidth: number }) => e.naturalWidth)).toBe(320);
  await expectColour(page, '#img', 0.25, 0.5, [220, 0, 0]);
  await expectColour(page, '#img', 0.75, 0.5, [0, 0, 220]);
  // fetch() from that site's script: a CORS request with a Range header (preflighted).
  const read = await page.evaluate(async (url) => {
    const response = await fetch(url, { headers: { range: 'bytes=0-3' } });
    return {
      status: response.status,
      range: response.headers.get('content-range'),
      size: (await response.arrayBuffer()).byteLength,
    };
  }, imageUrl);
  expect(read).toEqual({ status: 206, range: expect.stringMatching(/^bytes 0-3\//), size: 4 });
  await page.close();
});

it("opens a shared collection's IIIF Collection in stock Mirador 4 on another site, and a panorama from it", async () => {
  const made = await owner.client.POST('/v1/collections', { body: { name: 'Colours' } });
  const id = made.data!.id;
  const added = await owner.client.POST('/v1/collections/{id}/panoramas', {
    params: { path: { id } },
    body: { panoramaIds: [panoramaId, spherePanoramaId] },
  });
  expect(added.response.status).toBe(204);
  // Both in the IIIF Collection: the 360° one's flat tile set ready too (cut beside its sphere).
  const flat = await followEvents(`${api.baseUrl}/v1/tilesets/${sphereFlatTileSetId}/events`, owner.accessToken);
  expect(flat.at(-1)?.event).toBe('ready');
  const link = (await owner.client.POST('/v1/collections/{id}/share', { params: { path: { id } }, body: {} })).data!;
  const page = await pageWith(
    `<div id="mirador" style="position:relative;width:800px;height:500px"></div>
     <script src="/mirador.min.js"></script>
     <script>Mirador.viewer({ id: 'mirador', windows: [{ manifestId: ${JSON.stringify(link.iiifCollectionUrl)} }] });</script>`,
  );
  // Mirador sees a Collection: its dialog lists the members' manifests by title. (Mirador may
  // open that dialog by itself, which hides the window's "Show collection" button.)
  const dialog = page.getByRole('dialog');
  const show = page.getByRole('button', { name: /show collection/i });
  await dialog.or(show).first().waitFor({ timeout: 60_000 });
  if (!(await dialog.isVisible())) await show.click();
  await dialog.getByText('2 manifests').waitFor();
  expect(await dialog.getByRole('menuitem').allInnerTexts()).toEqual(['sphere', 'halves']);
  await dialog.getByRole('menuitem', { name: 'halves' }).click();
  // The panorama, drawn from its image service's tiles through its URLs under the collection's link.
  await expectColour(page, '#mirador .openseadragon-canvas', 0.25, 0.5, [220, 0, 0]);
  await expectColour(page, '#mirador .openseadragon-canvas', 0.75, 0.5, [0, 0, 220]);
  const tiles = requestedBy(page).filter((url) =>
    /\/v1\/s\/[^/]+\/tilesets\/[^/]+\/iiif\/[^/]+\/[^/]+\/0\/default\.\w+$/.test(url),
  );
  expect(tiles.length).toBeGreaterThan(0);
  expect(new Set(tiles.map(tokenOf)).size).toBe(1);
  expect(tokenOf(tiles[0])).not.toBe(tokenOf(link.iiifCollectionUrl));
  expect(failuresOf(page)).toEqual([]);
  await page.close();
});

it('answers share preflights for any origin, and keeps owner routes same-origin', async () => {
  const preflight = await fetch(share.dziUrl, {
    method: 'OPTIONS',
    headers: {
      origin: 'https://blog.example',
      'access-control-request-method': 'GET',
      'access-control-request-headers': 'range',
    },
  });
  expect(preflight.status).toBe(204);
  expect(preflight.headers.get('access-control-allow-origin')).toBe('*');
  expect(preflight.headers.get('access-control-allow-headers')).toMatch(/Range/);
  const refused = await fetch(share.dziUrl.replace(/\/s\/[^/]+\//, '/s/not-a-token/'));
  expect(refused.status).toBe(403);
  expect(refused.headers.get('cross-origin-resource-policy')).toBe('cross-origin');
  expect(refused.headers.get('access-control-allow-origin')).toBe('*');
  const ownerRoute = await fetch(`${api.baseUrl}/v1/panoramas`);
  expect(ownerRoute.headers.get('cross-origin-resource-policy')).toBe('same-origin');
  expect(ownerRoute.headers.get('access-control-allow-origin')).toBeNull();
});

describe('the public page of a link that does not work says why, and shows no date it cannot know', () => {
  const pageOf = (token: string) => `${api.baseUrl}/s/${token}/tilesets/${tileSetId}`;
  async function message(url: string): Promise<{ state?: string; text: string; expiry: string }> {
    const page = await browser.newPage();
    await page.goto(url);
    const alert = page.locator('#message');
    await alert.waitFor();
    const result = {
      state: (await alert.getAttribute('data-state')) ?? undefined,
      text: await alert.innerText(),
      expiry: await page.locator('#expiry').innerText(),
    };
    await page.close();
    return result;
  }

  it('tells expired (with when), never valid, revoked, and gone apart', async () => {
    const working = await browser.newPage();
    await working.goto(pageOf(tokenOf(share.dziUrl)));
    await working.waitForFunction(() =>
      (globalThis as unknown as { document: { getElementById(id: string): { textContent: string } } }).document
        .getElementById('expiry')
        .textContent.startsWith('link valid until '),
    );
    expect(await working.locator('#message').isHidden()).toBe(true);
    await working.locator('#stage .navigator').waitFor({ state: 'attached' }); // a minimap on a large screen
    await working.close();
    // On a phone the minimap would cover the image: none.
    const phone = await browser.newPage({ viewport: { width: 390, height: 844 } });
    await phone.goto(pageOf(tokenOf(share.dziUrl)));
    await phone.waitForFunction(() =>
      (globalThis as unknown as { document: { getElementById(id: string): { textContent: string } } }).document
        .getElementById('expiry')
        .textContent.startsWith('link valid until '),
    );
    await phone.locator('#stage .openseadragon-container').waitFor();
    expect(await phone.locator('#stage .navigator').count()).toBe(0);
    await phone.close();

    const expiredAt = Date.now() - 3_600_000;
    const expired = new ShareLinks(api.config).sign(
      { share: 'tileset', id: tileSetId, epoch: 0 },
      60,
      expiredAt - 60_000,
    );
    const onExpired = await message(pageOf(expired.token));
    expect(onExpired).toMatchObject({ state: 'expired', expiry: '' });
    expect(onExpired.text).toMatch(/^This link expired on .+\. Ask its owner for a new one\.$/);

    for (const garbage of ['garbage', `k0.zzzzzzzz.0.${'A'.repeat(22)}`]) {
      expect(await message(pageOf(garbage))).toEqual({
        state: 'invalid',
        text: 'This is not a valid share link: it may be mistyped or cut short.',
        expiry: '',
      });
    }

    expect(
      (await owner.client.DELETE('/v1/tilesets/{id}/share', { params: { path: { id: tileSetId } } })).response.status,
    ).toBe(204);
    expect(await message(pageOf(tokenOf(share.dziUrl)))).toEqual({
      state: 'revoked',
      text: 'This link was revoked by its owner.',
      expiry: '',
    });

    const fresh = await owner.client.POST('/v1/tilesets/{id}/share', { params: { path: { id: tileSetId } }, body: {} });
    expect(
      (await owner.client.DELETE('/v1/panoramas/{id}', { params: { path: { id: panoramaId } } })).response.status,
    ).toBe(204);
    expect(await message(pageOf(tokenOf(fresh.data!.dziUrl)))).toEqual({
      state: 'gone',
      text: 'The panorama behind this link no longer exists.',
      expiry: '',
    });
  });
});
