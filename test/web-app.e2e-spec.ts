import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import sharp from 'sharp';
import { bandedSphereJpeg, launchBrowser } from '#testing';
import { type ApiHarness, startApi } from './support/api-harness.js';
import { followEvents } from './support/tiles.js';
import { osdDrawerType, signInToWebApp } from './support/web-app.js';
import { upload } from './support/uploads.js';

/**
 * The web app at /app in real Chromium, used as a person would: sign in, upload through the
 * page (tus) with a progress bar, watch the tiles being cut, look at a flat panorama in
 * OpenSeadragon and a 360° one in Photo Sphere Viewer (colours checked on screen), share and
 * open the public page in a fresh browser, close the page mid-upload and resume it.
 * On failure, a screenshot of the page is kept in test-artifacts/.
 */
let api: ApiHarness;
let browser: Browser;
let scratch: string;
const ARTIFACTS = 'test-artifacts';

beforeAll(async () => {
  api = await startApi({ RENDITION_PRESETS: 'thumb:320:webp' });
  browser = await launchBrowser();
  scratch = await mkdtemp(join(tmpdir(), 'tessera-web-'));
  await mkdir(ARTIFACTS, { recursive: true });
});
afterAll(async () => {
  await browser?.close();
  await api?.close();
  await rm(scratch, { recursive: true, force: true });
});

/** A page that records what went wrong in it (console errors, failed requests, 4xx/5xx). */
async function openPage(context?: BrowserContext, size = { width: 1200, height: 800 }) {
  const page = await (context ?? (await browser.newContext({ viewport: size }))).newPage();
  const problems: string[] = [];
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('console', (m) => m.type() === 'error' && problems.push(m.text()));
  page.on('response', (r) => r.status() >= 400 && problems.push(`${r.status()} ${new URL(r.url()).pathname}`));
  return { page, problems };
}

/** Runs a step, keeping a screenshot of the page when it fails. */
async function step<T>(page: Page, name: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    await page.screenshot({ path: join(ARTIFACTS, `web-app-${name}.png`), fullPage: true }).catch(() => undefined);
    throw error;
  }
}

const signIn = (page: Page, email: string, password: string) => signInToWebApp(page, api.baseUrl, email, password);

/** The colour at a fraction of an element's box, from a real screenshot. */
async function colourAt(page: Page, selector: string, x: number, y: number) {
  const shot = await page.locator(selector).screenshot();
  const { data, info } = await sharp(shot).raw().toBuffer({ resolveWithObject: true });
  const i = (Math.round(y * (info.height - 1)) * info.width + Math.round(x * (info.width - 1))) * info.channels;
  return { r: data[i], g: data[i + 1], b: data[i + 2] };
}

/** Polls until the colour at (x, y) satisfies `ok` (tiles arrive over time). */
async function waitForColour(
  page: Page,
  selector: string,
  x: number,
  y: number,
  ok: (c: { r: number; g: number; b: number }) => boolean,
  timeoutMs = 30_000,
) {
  const deadline = Date.now() + timeoutMs;
  let last = await colourAt(page, selector, x, y);
  while (!ok(last)) {
    if (Date.now() > deadline) throw new Error(`colour at ${x},${y} stayed ${JSON.stringify(last)}`);
    await page.waitForTimeout(250);
    last = await colourAt(page, selector, x, y);
  }
  return last;
}

const red = (c: { r: number; g: number; b: number }) => c.r > 150 && c.g < 90 && c.b < 90;
const blue = (c: { r: number; g: number; b: number }) => c.b > 150 && c.r < 90 && c.g < 90;

/** width x height, red on the left half and blue on the right, as PNG. */
function halves(width: number, height: number) {
  const left = { create: { width: width / 2, height, channels: 3 as const, background: '#dc1e1e' } };
  return sharp({ create: { width, height, channels: 3, background: '#1e1edc' } })
    .composite([{ input: left, left: 0, top: 0 }])
    .png()
    .toBuffer();
}

const flatOsdLoaded = (page: Page) =>
  page.waitForFunction(
    () => {
      const v = (globalThis as { viewer?: { world?: { getItemAt(i: number): { getFullyLoaded(): boolean } } } }).viewer;
      return v?.world?.getItemAt(0)?.getFullyLoaded() === true;
    },
    undefined,
    { timeout: 30_000 },
  );

/** The first upload's progress bar value, evaluated in the page (no DOM types here). */
const firstProgressAbove = (page: Page, above: number) =>
  page.waitForFunction(
    (min) =>
      ((
        globalThis as unknown as { document: { querySelector(s: string): { value: number } | null } }
      ).document.querySelector('#uploads progress')?.value ?? 0) > min,
    above,
    { timeout: 30_000 },
  );

/** Polls `check` until it holds (the page changes over time); fails after `timeoutMs`. */
async function until(what: string, check: () => Promise<boolean>, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`still not: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('a flat panorama', () => {
  it('is uploaded from the page with progress, cut with live status, shown and zoomed in OpenSeadragon', async () => {
    const user = await api.userClient();
    const { page, problems } = await openPage();
    const file = join(scratch, 'halves.png');
    await writeFile(file, await halves(3000, 1000));

    await step(page, 'upload', async () => {
      await signIn(page, user.email, user.password);
      await page.locator('#empty').waitFor(); // an empty library says so
      await page.setInputFiles('#files', file);
      const item = page.locator('#uploads li').first();
      await item.locator('.state', { hasText: 'uploaded' }).waitFor({ timeout: 30_000 });
      expect(
        await item
          .locator('progress')
          .first()
          .evaluate((p) => (p as unknown as { value: number }).value),
      ).toBe(1);
      expect(await item.locator('.name').textContent()).toBe('halves.png');
      // The card follows the cutting to its end, not "cutting" for ever.
      await item.locator('.tileset[data-status=ready]').waitFor({ timeout: 60_000 });
    });

    // The library shows the new panorama; its tile set's line follows the cutting live.
    const card = page.locator('#panoramas li').first();
    await step(page, 'library', async () => {
      await card.locator('.title', { hasText: 'halves' }).waitFor();
      await card.locator('.tileset[data-status=ready]').waitFor({ timeout: 60_000 });
      await card.locator('.thumb img').waitFor({ timeout: 60_000 }); // the thumb preset, once made
    });

    await step(page, 'viewer', async () => {
      await card.locator('.title').click();
      await page.locator('#panorama-view').waitFor();
      await flatOsdLoaded(page);
      expect(await page.locator('#mode-flat').getAttribute('aria-pressed')).toBe('true');
      // Canvas, not WebGL: see viewers.js (WebGL in software drew a sixth of the frames).
      expect(await osdDrawerType(page)).toBe('canvas');
      // Aspect 3:1 in a 1200-wide stage: the image fills the width, centred vertically.
      expect(red(await colourAt(page, '#stage', 0.25, 0.5))).toBe(true);
      expect(blue(await colourAt(page, '#stage', 0.75, 0.5))).toBe(true);
      // Zoomed to full resolution at the seam: still red left of it, blue right of it.
      await page.evaluate(() => {
        const v = (
          globalThis as unknown as {
            viewer: { viewport: { zoomTo(z: number, p?: unknown, i?: boolean): void; getMaxZoom(): number } };
          }
        ).viewer;
        v.viewport.zoomTo(v.viewport.getMaxZoom(), undefined, true);
      });
      await flatOsdLoaded(page);
      expect(red(await colourAt(page, '#stage', 0.4, 0.5))).toBe(true);
      expect(blue(await colourAt(page, '#stage', 0.6, 0.5))).toBe(true);
    });

    // Detected flat; the owner says it is a sphere, and back.
    await step(page, 'projection', async () => {
      expect(await page.locator('#projection-switch').textContent()).toBe('Make it 360°');
      await page.click('#projection-switch');
      await page.locator('#p-facts', { hasText: '360° equirectangular' }).waitFor();
      await page.locator('#tilesets .tileset').nth(1).waitFor(); // the sphere's tile set, queued
      expect(await page.locator('#projection-switch').textContent()).toBe('Make it flat');
      await page.click('#projection-switch');
      await page.locator('#p-facts', { hasText: ' flat ' }).waitFor();
      const { data } = await user.client.GET('/v1/panoramas', { params: { query: { limit: 1 } } });
      expect(data!.items[0].projection).toBe('flat');
    });
    expect(problems).toEqual([]);
    await page.context().close();
  }, 180_000);
});

describe('sharing', () => {
  it('makes labelled links that a fresh browser opens without an account, lists them, and revokes one alone', async () => {
    const user = await api.userClient();
    const uploaded = await upload(user.client, await halves(2000, 1000), {
      filename: 'to-share.png',
      fields: { title: 'To share', projection: 'flat', presets: 'none' },
    });
    const panorama = uploaded.data!;
    await followEvents(`${api.baseUrl}/v1/tilesets/${panorama.tileSets[0].id}/events`, user.accessToken);
    const { page } = await openPage();
    const makeLink = async (label: string) => {
      await page.fill('#share-form input[name=label]', label);
      await page.click('#share-form button[type=submit]');
      await page.locator('#share-links li', { hasText: label }).waitFor();
      return page.inputValue('#share-viewer');
    };
    const annaLink = await step(page, 'share', async () => {
      await signIn(page, user.email, user.password);
      await page.goto(`${api.baseUrl}/app#/p/${panorama.id}`);
      await flatOsdLoaded(page);
      await page.click('#share-panel summary');
      await page.locator('#share-none').waitFor(); // the page's own viewing link is not listed
      await page.selectOption('#share-form select[name=ttl]', '3600');
      const link = await makeLink('Anna');
      expect(await page.inputValue('#share-iiif')).toMatch(/\/v1\/s\/[^/]+\/tilesets\/[^/]+\/iiif\/info\.json$/);
      expect(await page.inputValue('#share-dzi')).toMatch(/\/v1\/s\/[^/]+\/tilesets\/[^/]+\/image\.dzi$/);
      expect(await page.inputValue('#share-manifest')).toMatch(/\/v1\/s\/[^/]+\/tilesets\/[^/]+\/iiif-manifest$/);
      expect(await page.inputValue('#share-embed')).toContain('<iframe src="');
      return link;
    });
    expect(annaLink).toMatch(new RegExp(`^${api.baseUrl}/s/[^/]+/tilesets/${panorama.tileSets[0].id}$`));

    // A colleague: another browser context, no session, a phone-sized screen.
    const colleague = await openPage(undefined, { width: 390, height: 844 });
    await step(colleague.page, 'public-page', async () => {
      await colleague.page.goto(annaLink);
      await flatOsdLoaded(colleague.page);
      expect(await colleague.page.evaluate(() => localStorage.length)).toBe(0);
      expect(red(await colourAt(colleague.page, '#stage', 0.3, 0.5))).toBe(true);
      expect(blue(await colourAt(colleague.page, '#stage', 0.7, 0.5))).toBe(true);
      expect(await colleague.page.locator('#expiry').textContent()).toMatch(/valid until/);
    });
    expect(colleague.problems).toEqual([]);

    // A second link; the list shows both, Anna's as used. Anna's is revoked alone, after a confirmation.
    const benLink = await step(page, 'second-link', () => makeLink('Ben'));
    await step(page, 'revoke-one', async () => {
      await page.click('#share-panel summary'); // closed and opened again: the list is read afresh
      await page.click('#share-panel summary');
      await page.locator('#share-links li', { hasText: /Anna.*last used/ }).waitFor();
      expect(await page.locator('#share-links li').count()).toBe(2);
      let asked = '';
      page.once('dialog', (dialog) => {
        asked = dialog.message();
        void dialog.accept();
      });
      await page.locator('#share-links li', { hasText: 'Anna' }).getByRole('button', { name: 'Revoke' }).click();
      await page.locator('#message', { hasText: 'stopped working' }).waitFor();
      expect(asked).toMatch(/Anna.*other links keep working/);
      await page.locator('#share-links li', { hasText: 'Anna' }).waitFor({ state: 'detached' });
      expect(await page.locator('#share-links li').count()).toBe(1);
    });
    const later = await openPage();
    await step(later.page, 'revoked', async () => {
      await later.page.goto(annaLink);
      await later.page.locator('#message', { hasText: /revoked/i }).waitFor();
      await later.page.goto(benLink);
      await flatOsdLoaded(later.page);
    });

    // Every link at once.
    page.once('dialog', (dialog) => void dialog.accept());
    await page.click('#revoke');
    await page.locator('#message', { hasText: 'Every share link' }).waitFor();
    await page.locator('#share-none').waitFor();
    await step(later.page, 'all-revoked', async () => {
      await later.page.goto(benLink);
      await later.page.locator('#message', { hasText: /revoked/i }).waitFor();
    });
    await Promise.all([page.context().close(), colleague.page.context().close(), later.page.context().close()]);
  }, 120_000);
});

describe('sharing a collection', () => {
  it('makes a link whose public page shows the thumbnails and opens each panorama; revoking it ends the page', async () => {
    const user = await api.userClient();
    const made = await user.client.POST('/v1/collections', { body: { name: 'Red and blue' } });
    const collectionId = made.data!.id;
    const uploaded = await upload(user.client, await halves(2000, 1000), {
      filename: 'halves.png',
      fields: { title: 'Halves', projection: 'flat', presets: 'thumb', collectionId },
    });
    const panorama = uploaded.data!;
    await followEvents(`${api.baseUrl}/v1/tilesets/${panorama.tileSets[0].id}/events`, user.accessToken);
    await followEvents(`${api.baseUrl}/v1/renditions/${panorama.renditions[0].id}/events`, user.accessToken);

    const { page } = await openPage();
    const link = await step(page, 'collection-share', async () => {
      await signIn(page, user.email, user.password);
      await page.goto(`${api.baseUrl}/app#/c/${collectionId}`);
      await page.click('#collection-share-panel summary');
      await page.locator('#collection-share-none').waitFor();
      await page.fill('#collection-share-form input[name=label]', 'Family');
      await page.click('#collection-share-form button[type=submit]');
      await page.locator('#collection-share-links li', { hasText: 'Family' }).waitFor();
      expect(await page.inputValue('#collection-share-iiif')).toMatch(
        new RegExp(`/v1/s/[^/]+/collections/${collectionId}/iiif-collection$`),
      );
      return page.inputValue('#collection-share-page');
    });
    expect(link).toMatch(new RegExp(`^${api.baseUrl}/s/[^/]+/collections/${collectionId}$`));

    // Someone with the link and no account: the collection, its thumbnail, then the panorama.
    const guest = await openPage(undefined, { width: 390, height: 844 });
    const memberPage = await step(guest.page, 'collection-public-page', async () => {
      await guest.page.goto(link);
      await guest.page.locator('#name', { hasText: 'Red and blue' }).waitFor();
      const thumb = guest.page.locator('#panoramas li img');
      await thumb.evaluate((e: { complete: boolean; decode(): Promise<void> }) =>
        e.complete ? undefined : e.decode(),
      );
      expect(await thumb.evaluate((e: { naturalWidth: number }) => e.naturalWidth)).toBe(320);
      expect(await guest.page.locator('#expiry').textContent()).toMatch(/valid until/);
      await guest.page.locator('#panoramas li a.title', { hasText: 'Halves' }).click();
      await flatOsdLoaded(guest.page);
      expect(red(await colourAt(guest.page, '#stage', 0.3, 0.5))).toBe(true);
      expect(blue(await colourAt(guest.page, '#stage', 0.7, 0.5))).toBe(true);
      return guest.page.url();
    });
    expect(memberPage).toMatch(new RegExp(`^${api.baseUrl}/s/[^/]+/tilesets/${panorama.tileSets[0].id}$`));
    expect(guest.problems).toEqual([]);

    await step(page, 'collection-revoke', async () => {
      page.once('dialog', (dialog) => void dialog.accept());
      await page
        .locator('#collection-share-links li', { hasText: 'Family' })
        .getByRole('button', { name: 'Revoke' })
        .click();
      await page.locator('#collection-share-none').waitFor();
    });
    // Whoever opens the link or the panorama's page it led to now (a browser that kept
    // answers may show them until they expire: they are private, cached for the link's life).
    const later = await openPage();
    await step(later.page, 'collection-revoked', async () => {
      await later.page.goto(link);
      await later.page.locator('#message', { hasText: /revoked/i }).waitFor();
      await later.page.goto(memberPage);
      await later.page.locator('#message', { hasText: /revoked/i }).waitFor();
    });
    await Promise.all([page.context().close(), guest.page.context().close(), later.page.context().close()]);
  }, 120_000);
});

describe('a 360° panorama', () => {
  it('opens as a sphere in Photo Sphere Viewer from its tiles, with the right colours at known yaws', async () => {
    const user = await api.userClient();
    const sphere = await bandedSphereJpeg(); // blue ahead (yaw 0), red behind
    const uploaded = await upload(user.client, sphere, {
      filename: 'sphere.jpg',
      fields: { title: 'Sphere', projection: 'equirectangular', presets: 'none' },
    });
    const panorama = uploaded.data!;
    for (const set of panorama.tileSets)
      await followEvents(`${api.baseUrl}/v1/tilesets/${set.id}/events`, user.accessToken, 120_000);
    const sphereSet = panorama.tileSets.find((s) => s.layout === 'sphere')!;
    expect(sphereSet).toBeDefined();

    const { page, problems } = await openPage();
    const tiles: string[] = [];
    page.on('request', (r) => r.url().includes(`/tilesets/${sphereSet.id}/image_files/`) && tiles.push(r.url()));
    await step(page, 'sphere', async () => {
      await signIn(page, user.email, user.password);
      await page.goto(`${api.baseUrl}/app#/p/${panorama.id}`);
      await page.locator('#mode-sphere[aria-pressed=true]').waitFor({ timeout: 30_000 });
      await page.locator('#stage canvas').waitFor();
      await waitForColour(page, '#stage', 0.5, 0.5, blue);
      await page.evaluate(() =>
        (globalThis as unknown as { viewer: { rotate(p: { yaw: number; pitch: number }): void } }).viewer.rotate({
          yaw: Math.PI,
          pitch: 0,
        }),
      );
      await waitForColour(page, '#stage', 0.5, 0.5, red);
      await page.waitForFunction((n) => n > 0, tiles.length, { timeout: 30_000 }).catch(() => undefined);
      expect(tiles.length).toBeGreaterThan(0); // drawn from the sphere's tiles, not only the base image
      // Switchable: the same panorama flat in OpenSeadragon.
      await page.click('#mode-flat');
      await flatOsdLoaded(page);
      expect(blue(await colourAt(page, '#stage', 0.5, 0.5))).toBe(true);
    });
    expect(problems).toEqual([]);
    await page.context().close();

    // Its public page shows the sphere too, to someone with no account.
    const { data: link } = await user.client.POST('/v1/tilesets/{id}/share', {
      params: { path: { id: sphereSet.id } },
      body: {},
    });
    const shared = await openPage();
    await step(shared.page, 'sphere-public', async () => {
      await shared.page.goto(link!.dziUrl.replace('/v1/s/', '/s/').replace(/\/image\.dzi$/, ''));
      await shared.page.locator('#stage canvas').waitFor();
      await waitForColour(shared.page, '#stage', 0.5, 0.5, blue);
    });
    expect(shared.problems).toEqual([]);
    await shared.page.context().close();
  }, 240_000);
});

describe('a resumable upload', () => {
  it('survives closing the page half-way: reopened, the same file resumes and lands whole', async () => {
    const user = await api.userClient();
    // About 12 MB of noise (JPEG cannot squeeze it), sent at 1.5 MB/s: a few seconds to stop it in.
    const noise = Buffer.alloc(2400 * 1800 * 3);
    for (let i = 0; i < noise.length; i++) noise[i] = (i * 2654435761) >>> 24;
    const bytes = await sharp(noise, { raw: { width: 2400, height: 1800, channels: 3 } })
      .jpeg({ quality: 100, chromaSubsampling: '4:4:4' })
      .toBuffer();
    const file = join(scratch, 'noise.jpg');
    await writeFile(file, bytes);

    const context = await browser.newContext({ viewport: { width: 1200, height: 800 } });
    const { page } = await openPage(context);
    await signIn(page, user.email, user.password);
    const cdp = await context.newCDPSession(page);
    const uploadAt = (bytesPerSecond: number) =>
      cdp.send('Network.emulateNetworkConditions', {
        offline: false,
        latency: 0,
        downloadThroughput: -1,
        uploadThroughput: bytesPerSecond,
      });
    await uploadAt(1_500_000);
    const patches: string[] = [];
    page.on('request', (r) => r.method() === 'PATCH' && patches.push(r.headers()['upload-offset'] ?? '?'));

    await step(page, 'resumable-first-half', async () => {
      await page.setInputFiles('#files', file);
      await firstProgressAbove(page, 0.15);
      expect(await page.locator('#uploads .stats').first().textContent()).toMatch(/ of .* · .*\/s · .* left/);
      // Paused, nothing moves; resumed, it goes on from there.
      const item = page.locator('#uploads li').first();
      await item.locator('.pause').click();
      await item.locator('.state', { hasText: 'paused at' }).waitFor();
      const pausedAt = await item.locator('progress').evaluate((p) => (p as unknown as { value: number }).value);
      await page.waitForTimeout(1000);
      expect(await item.locator('progress').evaluate((p) => (p as unknown as { value: number }).value)).toBe(pausedAt);
      await item.locator('.pause', { hasText: 'Resume' }).click();
      await firstProgressAbove(page, pausedAt + 0.1);
    });
    // The tab goes away mid-upload; the user comes back later.
    await page.reload();
    await page.locator('#library-view').waitFor();
    const unfinished = page.locator('#uploads li.unfinished');
    await step(page, 'resumable-unfinished', async () => {
      await unfinished.waitFor();
      expect(await unfinished.textContent()).toMatch(/noise\.jpg.*sent\. Choose the same file to resume/s);
    });
    patches.length = 0;
    await uploadAt(-1); // the rest at full speed: nothing needs stopping any more
    await step(page, 'resumable-second-half', async () => {
      await page.setInputFiles('#files', file);
      const item = page.locator('#uploads li').first();
      await item.locator('.state', { hasText: 'uploaded' }).waitFor({ timeout: 60_000 });
    });
    // It resumed: the first PATCH after the reload started past zero.
    expect(Number(patches[0])).toBeGreaterThan(0);
    const list = await user.client.GET('/v1/panoramas', { params: { query: {} } });
    const landed = list.data!.items.find((p) => p.originalFilename === 'noise.jpg');
    expect(landed?.sha256).toBe(createHash('sha256').update(bytes).digest('hex'));
    await context.close();
  }, 180_000);
});

describe('managing panoramas', () => {
  it('on a phone-sized screen: pages, searches, renames, compresses, downloads and deletes; errors say why', async () => {
    const user = await api.userClient();
    for (let i = 0; i < 24; i++)
      expect(
        (
          await upload(user.client, await halves(64 + 2 * i, 32), {
            filename: `f${i}.png`,
            fields: { title: `Filler ${i}`, presets: 'none' },
          })
        ).response.status,
      ).toBe(202);
    const needleBytes = await halves(1200, 600);
    const needle = (
      await upload(user.client, needleBytes, {
        filename: 'needle.png',
        fields: { title: 'Needle', projection: 'flat', presets: 'none' },
      })
    ).data!;
    await followEvents(`${api.baseUrl}/v1/tilesets/${needle.tileSets[0].id}/events`, user.accessToken);

    const { page, problems } = await openPage(undefined, { width: 390, height: 844 });
    await step(page, 'manage-library', async () => {
      await signIn(page, user.email, user.password);
      const cards = page.locator('#panoramas > li');
      await page.locator('#more').waitFor();
      expect(await cards.count()).toBe(24);
      await page.click('#more');
      await until('25 cards', async () => (await cards.count()) === 25);
      expect(await page.locator('#more').isHidden()).toBe(true);
      // Nothing wider than the phone.
      expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
      await page.fill('#search input[name=title]', 'needl');
      await page.press('#search input[name=title]', 'Enter');
      await until('1 card', async () => (await cards.count()) === 1);
      expect(await cards.first().locator('.title').textContent()).toBe('Needle');
    });

    await step(page, 'manage-keyboard-upload-error', async () => {
      // By keyboard: the "choose files" button opens the picker; a file that is no image is
      // refused, and the page shows the server's own explanation.
      // (Whether the picker opens is seen from a click on the hidden input: Playwright's
      // filechooser event can miss a picker opened before its interception is in place.)
      await page.locator('#files').evaluate((input) =>
        (
          input as unknown as { addEventListener(t: string, f: () => void): void; dataset: Record<string, string> }
        ).addEventListener('click', function (this: { dataset: Record<string, string> }) {
          this.dataset.opened = 'yes';
        }),
      );
      await page.focus('#choose');
      await page.keyboard.press('Enter');
      await page.locator('#files[data-opened=yes]').waitFor({ state: 'attached' });
      await page.setInputFiles('#files', {
        name: 'notes.jpg',
        mimeType: 'image/jpeg',
        buffer: Buffer.from('not an image at all\n'),
      });
      const item = page.locator('#uploads li', { hasText: 'notes.jpg' });
      await item.locator('.state', { hasText: 'failed' }).waitFor({ timeout: 30_000 });
      const detail = await item.locator('.stats').textContent();
      expect(detail).not.toMatch(/^tus:/);
      expect(detail).toMatch(/image|format|type/i);
    });
    problems.length = 0; // that refusal is logged by the browser as a failed request

    await step(page, 'manage-rename', async () => {
      await page.locator('#panoramas .title', { hasText: 'Needle' }).click();
      await page.locator('#panorama-view').waitFor();
      await page.click('#rename');
      await page.fill('#rename-form input[name=title]', 'Needle, renamed');
      await page.press('#rename-form input[name=title]', 'Enter');
      await page.locator('#p-title', { hasText: 'Needle, renamed' }).waitFor();
      const stored = await user.client.GET('/v1/panoramas/{id}', { params: { path: { id: needle.id } } });
      expect(stored.data!.title).toBe('Needle, renamed');
    });

    await step(page, 'manage-compress', async () => {
      await page.click('#renditions-panel summary');
      await page.fill('#rendition-form input[name=width]', '300');
      await page.selectOption('#rendition-form select[name=format]', 'webp');
      await page.fill('#rendition-form input[name=quality]', '60');
      await page.click('#rendition-form button[type=submit]');
      await page.locator('#compare').waitFor({ timeout: 30_000 });
      const naturalWidth = (selector: string) =>
        page.locator(selector).evaluate((img) => (img as unknown as { naturalWidth: number }).naturalWidth);
      await until('both images shown', async () => (await naturalWidth('#compare-after')) === 300);
      await until('the original shown', async () => (await naturalWidth('#compare-before')) > 0);
      expect(await page.locator('#compare-after-caption').textContent()).toMatch(
        /^300×150 webp, .* of the original\)$/,
      );
      expect(await page.locator('#renditions li[data-status=ready]').count()).toBe(1);
    });

    await step(page, 'manage-download', async () => {
      await page.click('#download-panel summary');
      const [download] = await Promise.all([page.waitForEvent('download'), page.click('#download-original')]);
      const saved = join(scratch, 'downloaded.png');
      await download.saveAs(saved);
      const { readFile } = await import('node:fs/promises');
      expect(
        createHash('sha256')
          .update(await readFile(saved))
          .digest('hex'),
      ).toBe(createHash('sha256').update(needleBytes).digest('hex'));
      expect(download.suggestedFilename()).toBe('needle.png');
    });

    await step(page, 'manage-delete', async () => {
      page.once('dialog', (dialog) => void dialog.accept());
      await page.click('#delete');
      await page.locator('#message', { hasText: 'Deleted "Needle, renamed"' }).waitFor();
      await page.locator('#library-view').waitFor();
      const gone = await user.client.GET('/v1/panoramas/{id}', { params: { path: { id: needle.id } } });
      expect(gone.response.status).toBe(404);
    });
    expect(problems).toEqual([]);
    await page.context().close();
  }, 180_000);
});

describe('the session', () => {
  it('refreshes once for two tabs at once, recovers from a refused token, and signing out ends it', async () => {
    const user = await api.userClient();
    const context = await browser.newContext({ viewport: { width: 1000, height: 700 } });
    const refreshes: string[] = [];
    context.on('request', (r) => r.url().endsWith('/v1/auth/refresh') && refreshes.push(r.url()));
    const a = await openPage(context);
    await signIn(a.page, user.email, user.password);
    const b = await openPage(context);
    await b.page.goto(`${api.baseUrl}/app`);
    await b.page.locator('#library-view').waitFor(); // the same session, from storage
    const stored = () =>
      a.page.evaluate<{ accessToken: string; refreshToken: string; expiresAt: number }>(
        'JSON.parse(localStorage.getItem("tessera.session"))',
      );
    const first = await stored();

    await step(a.page, 'session-two-tabs', async () => {
      // Both tabs find the access token about to expire and load at the same moment. Refresh
      // tokens rotate; the tabs take turns (a Web Lock), but a tab may still read the pair
      // the other has just replaced (localStorage reaches other tabs asynchronously), and
      // the server gives a token rotated seconds ago a new pair of the same session
      // (JWT_REFRESH_REUSE_SECONDS) instead of ending it. Either way both tabs stay in.
      await a.page.evaluate(
        'localStorage.setItem("tessera.session", JSON.stringify({...JSON.parse(localStorage.getItem("tessera.session")), expiresAt: Date.now()}))',
      );
      await Promise.all([a.page.reload(), b.page.reload()]);
      await Promise.all([a.page.locator('#library-view').waitFor(), b.page.locator('#library-view').waitFor()]);
      expect(refreshes.length).toBeGreaterThanOrEqual(1);
      expect(refreshes.length).toBeLessThanOrEqual(2);
      expect(await a.page.locator('#who').textContent()).toBe(user.email);
      expect(await b.page.locator('#who').textContent()).toBe(user.email);
      expect((await stored()).refreshToken).not.toBe(first.refreshToken);
    });

    await step(a.page, 'session-refused-token', async () => {
      // A token the server refuses (expired, or the user's tokens were revoked): refreshed once.
      await a.page.evaluate(
        'localStorage.setItem("tessera.session", JSON.stringify({...JSON.parse(localStorage.getItem("tessera.session")), accessToken: "not.a.token"}))',
      );
      const before = refreshes.length;
      await a.page.reload();
      await a.page.locator('#library-view').waitFor();
      expect(await a.page.locator('#who').textContent()).toBe(user.email);
      expect(refreshes).toHaveLength(before + 1);
    });

    const last = await stored();
    await a.page.click('#sign-out');
    await a.page.locator('#auth-view').waitFor();
    expect(await a.page.evaluate('localStorage.getItem("tessera.session")')).toBeNull();
    const reuse = await fetch(`${api.baseUrl}/v1/auth/refresh`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ refreshToken: last.refreshToken }),
    });
    expect(reuse.status).toBe(401);
    await context.close();
  }, 60_000);
});

describe('registering', () => {
  it('creates an account from the page and signs in with it; a taken address is explained', async () => {
    const { page } = await openPage();
    const email = `page-${Date.now()}@example.com`;
    await step(page, 'register', async () => {
      await page.goto(`${api.baseUrl}/app`);
      await page.click('#show-register');
      await page.fill('#register input[name=email]', email);
      await page.fill('#register input[name=password]', 'a page password 123');
      await page.click('#register button[type=submit]');
      await page.locator('#library-view').waitFor();
      expect(await page.locator('#who').textContent()).toBe(email);
      await page.click('#sign-out');
      await page.click('#show-register');
      await page.fill('#register input[name=email]', email);
      await page.fill('#register input[name=password]', 'a page password 123');
      await page.click('#register button[type=submit]');
      await page.locator('#message:not([hidden])').waitFor();
      expect(await page.locator('#message').textContent()).toMatch(/already|exists|taken|registered/i);
    });
    await page.context().close();
  }, 60_000);
});
