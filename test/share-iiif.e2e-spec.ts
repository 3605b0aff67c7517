import { request as httpRequest } from 'node:http';
import sharp, { type Sharp } from 'sharp';
import { DEFAULT_RENDITION_PRESETS, loadConfig } from '#config';
import { maxLevel } from '#tiles';
import { ShareLinks } from '../apps/api/src/share/share-links.js';
import { TilePipeline } from '../apps/api/src/tilesets/tile-pipeline.js';
import { type ApiHarness, expectProblem, startApi } from './support/api-harness.js';
import { followEvents, sha256Hex, unzip } from './support/tiles.js';
import { upload } from './support/uploads.js';

/**
 * Share links (capability URLs) and the IIIF Image API, over HTTP with Node's fetch: what a
 * viewer without an account does, what an attacker with a link tries, and pixel checks of
 * IIIF answers against the original (a lossless PNG pyramid, so most must be exact).
 */
let api: ApiHarness;
let owner: Awaited<ReturnType<ApiHarness['userClient']>>;
let other: Awaited<ReturnType<ApiHarness['userClient']>>;
let squares: Buffer;
let tileSetId: string;
let otherTileSetId: string;

const SIZE = 1000;
/** 1000x1000: a 10x10 grid of distinctly coloured 100 px squares (like the IIIF validator's image). */
async function squaresPng(): Promise<Buffer> {
  const pixels = Buffer.alloc(SIZE * SIZE * 3);
  for (let y = 0; y < SIZE; y++)
    for (let x = 0; x < SIZE; x++) {
      const [col, row] = [Math.floor(x / 100), Math.floor(y / 100)];
      const i = (y * SIZE + x) * 3;
      pixels[i] = col * 25;
      pixels[i + 1] = row * 25;
      pixels[i + 2] = 255 - (col + row) * 10;
    }
  return sharp(pixels, { raw: { width: SIZE, height: SIZE, channels: 3 } })
    .png()
    .toBuffer();
}

async function uploadReady(client: typeof owner, image: Buffer, fields: Record<string, string | number>) {
  const uploaded = await upload(client.client, image, { fields: { presets: 'none', ...fields } });
  expect(uploaded.response.status).toBe(202);
  const id = uploaded.data!.tileSets[0].id;
  const events = await followEvents(`${api.baseUrl}/v1/tilesets/${id}/events`, client.accessToken);
  expect(events.at(-1)?.event).toBe('ready');
  return { id, panoramaId: uploaded.data!.id };
}

beforeAll(async () => {
  api = await startApi({ RENDITION_PRESETS: DEFAULT_RENDITION_PRESETS });
  owner = await api.userClient();
  other = await api.userClient();
  squares = await squaresPng();
  ({ id: tileSetId } = await uploadReady(owner, squares, { tileFormat: 'png', tileSize: 256, overlap: 0 }));
  ({ id: otherTileSetId } = await uploadReady(other, await sharp(squares).negate().png().toBuffer(), {
    tileFormat: 'jpeg',
  }));
});
afterAll(() => api?.close());

const bearer = () => ({ authorization: `Bearer ${owner.accessToken}` });
async function get(url: string, headers: Record<string, string> = {}) {
  const response = await fetch(url.startsWith('http') ? url : `${api.baseUrl}${url}`, { headers, redirect: 'manual' });
  return { response, body: Buffer.from(await response.arrayBuffer()) };
}
const raw = async (image: Buffer | Sharp) =>
  (Buffer.isBuffer(image) ? sharp(image) : image).removeAlpha().raw().toBuffer({ resolveWithObject: true });
const iiif = (path: string) => get(`/v1/tilesets/${tileSetId}/iiif/${path}`, bearer());

async function share(id = tileSetId, client = owner, ttlSeconds?: number) {
  const { data, response } = await client.client.POST('/v1/tilesets/{id}/share', {
    params: { path: { id } },
    body: ttlSeconds === undefined ? {} : { ttlSeconds },
  });
  expect(response.status).toBe(200);
  return data!;
}

describe('IIIF Image API 3.0 (bearer)', () => {
  it('describes the image in info.json, as JSON-LD when asked, and redirects the base URI there', async () => {
    const { response, body } = await iiif('info.json');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    const info = JSON.parse(body.toString());
    expect(info).toMatchObject({
      '@context': 'http://iiif.io/api/image/3/context.json',
      id: `${api.baseUrl}/v1/tilesets/${tileSetId}/iiif`,
      type: 'ImageService3',
      protocol: 'http://iiif.io/api/image',
      profile: 'level2',
      width: SIZE,
      height: SIZE,
      maxArea: api.config.IIIF_MAX_AREA,
      tiles: [{ width: 256, height: 256, scaleFactors: [1, 2, 4] }],
      extraFormats: ['webp'],
    });
    expect(info.sizes.at(-1)).toEqual({ width: SIZE, height: SIZE });

    const ld = await get(`/v1/tilesets/${tileSetId}/iiif/info.json`, { ...bearer(), accept: 'application/ld+json' });
    expect(ld.response.headers.get('content-type')).toBe(
      'application/ld+json;profile="http://iiif.io/api/image/3/context.json"',
    );
    const base = await iiif('').catch(() => null); // trailing slash: not the base URI
    expect(base?.response.status).not.toBe(200);
    const redirect = await get(`/v1/tilesets/${tileSetId}/iiif`, bearer());
    expect(redirect.response.status).toBe(303);
    expect(redirect.response.headers.get('location')).toBe(`${api.baseUrl}/v1/tilesets/${tileSetId}/iiif/info.json`);
  });

  it('answers full/max with the original, pixel for pixel (PNG)', async () => {
    const { response, body } = await iiif('full/max/0/default.png');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('image/png');
    expect((await raw(body)).data.equals((await raw(squares)).data)).toBe(true);
  });

  it('answers a region crossing tile borders with the same crop of the original', async () => {
    const { body } = await iiif('200,150,300,250/max/0/default.png');
    const got = await raw(body);
    expect([got.info.width, got.info.height]).toEqual([300, 250]);
    const want = await raw(sharp(squares).extract({ left: 200, top: 150, width: 300, height: 250 }));
    expect(got.data.equals(want.data)).toBe(true);
    // The same region by percent.
    const pct = await raw((await iiif('pct:20,15,30,25/max/0/default.png')).body);
    expect(pct.data.equals(want.data)).toBe(true);
  });

  it('keeps the aspect ratio for !w,h, and scales from the pyramid with the right colours', async () => {
    const { body } = await iiif('0,0,1000,500/!300,300/0/default.png');
    const got = await raw(body);
    expect([got.info.width, got.info.height]).toEqual([300, 150]);
    // Square (col 5, row 2) at 30% scale: its centre pixel.
    const i = (Math.round(2.5 * 30) * 300 + Math.round(5.5 * 30)) * 3;
    expect([...got.data.subarray(i, i + 3)]).toEqual([125, 50, 185]);
  });

  it('rotates by 90 degrees, mirrors, and turns gray', async () => {
    const region = { left: 100, top: 300, width: 200, height: 100 };
    const rotated = await raw((await iiif('100,300,200,100/max/90/default.png')).body);
    expect([rotated.info.width, rotated.info.height]).toEqual([100, 200]);
    expect(
      rotated.data.equals((await raw(sharp(await sharp(squares).extract(region).toBuffer()).rotate(90))).data),
    ).toBe(true);
    const mirrored = await raw((await iiif('100,300,200,100/max/!0/default.png')).body);
    expect(mirrored.data.equals((await raw(sharp(await sharp(squares).extract(region).toBuffer()).flop())).data)).toBe(
      true,
    );
    const gray = await sharp((await iiif('full/100,/0/gray.png')).body).metadata();
    expect(gray.channels).toBe(1);
    const bitonal = await sharp((await iiif('full/100,/0/bitonal.png')).body)
      .raw()
      .toBuffer();
    expect(bitonal.every((v) => v === 0 || v === 255)).toBe(true);
  });

  it('encodes jpg and webp, by magic bytes', async () => {
    const jpg = await iiif('full/200,/0/default.jpg');
    expect(jpg.response.headers.get('content-type')).toBe('image/jpeg');
    expect(jpg.body.subarray(0, 3).toString('hex')).toBe('ffd8ff');
    const webp = await iiif('square/64,64/0/color.webp');
    expect(webp.body.subarray(8, 12).toString()).toBe('WEBP');
  });

  it('answers a request naming a stored tile with that tile: same bytes, same ETag', async () => {
    const top = maxLevel({ width: SIZE, height: SIZE });
    const tile = await get(`/v1/tilesets/${tileSetId}/image_files/${top}/1_2.png`, bearer());
    const viaIiif = await iiif('256,512,256,256/256,/0/default.png');
    expect(viaIiif.response.status).toBe(200);
    expect(sha256Hex(viaIiif.body)).toBe(sha256Hex(tile.body));
    expect(viaIiif.response.headers.get('etag')).toBe(tile.response.headers.get('etag'));
    // A scaled-down tile (scale factor 4, the last column: 232 px of the full image wide).
    const small = await iiif('768,0,232,1000/58,/0/default.png');
    const stored = await get(`/v1/tilesets/${tileSetId}/image_files/${top - 2}/0_0.png`, bearer());
    expect(small.response.status).toBe(200);
    expect(sha256Hex(small.body)).not.toBe(sha256Hex(stored.body)); // not on the grid at that level: rendered
  });

  it.each([
    ['full/^9000,/0/default.jpg', 'over the size limit'],
    ['full/max/0/default.gif', 'an unknown format'],
    ['full/max/0/sepia.jpg', 'an unknown quality'],
    ['a,b,c,d/max/0/default.jpg', 'a malformed region'],
    ['1000,0,10,10/max/0/default.jpg', 'a region outside the image'],
    ['full/2000,/0/default.jpg', 'upscaling without ^'],
    ['full/max/-90/default.jpg', 'a negative rotation'],
    ['full/0,0/0/default.jpg', 'a zero size'],
  ])('refuses %s (%s) with a 400 problem', async (path) => {
    const { response, body } = await iiif(path);
    expectProblem(asProblem(response, body), 400, 'INVALID_IIIF_REQUEST');
  });

  it("does not serve another user's tile set", async () => {
    const { response, body } = await get(`/v1/tilesets/${otherTileSetId}/iiif/info.json`, bearer());
    expectProblem(asProblem(response, body), 404, 'TILE_SET_NOT_FOUND');
  });

  it('renders identical requests released at once once each, and answers them all', async () => {
    const answers = await Promise.all(Array.from({ length: 8 }, () => iiif('pct:10,10,80,80/333,/0/default.jpg')));
    expect(answers.map((a) => a.response.status)).toEqual(Array(8).fill(200));
    expect(new Set(answers.map((a) => sha256Hex(a.body))).size).toBe(1);
  });
});

describe('share links', () => {
  it('open the DZI, tiles, manifest, archive and IIIF with no header, with CORS and bounded public caching', async () => {
    const links = await share(tileSetId, owner, 3600);
    expect(new Date(links.expiresAt).getTime()).toBeGreaterThan(Date.now() + 3500_000);
    for (const url of [links.dziUrl, links.iiifUrl, links.manifestUrl, links.archiveUrl])
      expect(url.startsWith(`${api.baseUrl}/v1/s/`)).toBe(true);

    const dzi = await get(links.dziUrl);
    expect(dzi.response.status).toBe(200);
    expect(dzi.body.toString()).toContain('TileSize="256"');
    expect(dzi.response.headers.get('access-control-allow-origin')).toBe('*');
    // A shared cache may keep it SHARE_CACHE_SECONDS (300 by default), with a strong validator.
    expect(dzi.response.headers.get('cache-control')).toBe('public, max-age=300');
    expect(dzi.response.headers.get('etag')).toMatch(/^"[^"]+"$/);

    const top = maxLevel({ width: SIZE, height: SIZE });
    const tileUrl = links.dziUrl.replace(/image\.dzi$/, `image_files/${top}/0_0.png`);
    const tile = await get(tileUrl);
    expect(tile.response.status).toBe(200);
    expect(tile.response.headers.get('content-type')).toBe('image/png');

    const manifest = JSON.parse((await get(links.manifestUrl)).body.toString());
    // Absolute: a page on another site would resolve a path against its own origin.
    expect(manifest.deepZoomUrl).toBe(links.dziUrl);
    expect(manifest.tileUrlTemplate.startsWith(links.iiifUrl.replace(/iiif$/, 'image_files/'))).toBe(true);

    const archive = await get(links.archiveUrl);
    expect(archive.response.status).toBe(200);
    expect((await unzip(archive.body)).has('image.dzi')).toBe(true);

    const info = await get(`${links.iiifUrl}/info.json`);
    expect(info.response.status).toBe(200);
    expect(JSON.parse(info.body.toString()).id).toBe(links.iiifUrl);
    const image = await get(`${links.iiifUrl}/full/100,/0/default.jpg`);
    expect(image.response.status).toBe(200);
    expect(image.response.headers.get('access-control-allow-origin')).toBe('*');
  });

  it('refuse tampered, truncated, foreign, expired and garbage tokens with 403, never 500', async () => {
    const links = await share();
    const token = /\/v1\/s\/([^/]+)\//.exec(links.dziUrl)![1];
    const at = (t: string) => links.dziUrl.replace(token, t);
    const flipped = token.slice(0, -1) + (token.endsWith('A') ? 'B' : 'A');
    const foreign = new ShareLinks(loadConfig({ ...envOf(api), SHARE_KEYS: `k0:${'z'.repeat(40)}` })).sign(
      { share: 'tileset', id: tileSetId, epoch: 0 },
      3600,
    ).token;
    const expired = new ShareLinks(api.config).sign(
      { share: 'tileset', id: tileSetId, epoch: 0 },
      60,
      Date.now() - 3600_000,
    ).token;
    for (const [bad, code] of [
      [flipped, 'SHARE_LINK_INVALID'],
      [token.slice(0, -3), 'SHARE_LINK_INVALID'],
      [foreign, 'SHARE_LINK_INVALID'],
      [`zz${token.slice(2)}`, 'SHARE_LINK_INVALID'],
      ['x', 'SHARE_LINK_INVALID'],
      ['%00', 'SHARE_LINK_INVALID'],
      ['a'.repeat(2000), 'SHARE_LINK_INVALID'],
      [expired, 'SHARE_LINK_EXPIRED'],
    ] as const) {
      const { response, body } = await get(at(bad));
      expect(response.headers.get('access-control-allow-origin')).toBe('*');
      expectProblem(asProblem(response, body), 403, code);
    }
  });

  it('grant one tile set only: not another, not a path outside the prefix', async () => {
    const links = await share();
    const token = /\/v1\/s\/([^/]+)\//.exec(links.dziUrl)![1];
    const elsewhere = await get(`/v1/s/${token}/tilesets/${otherTileSetId}/image.dzi`);
    expectProblem(asProblem(elsewhere.response, elsewhere.body), 403, 'SHARE_LINK_INVALID');
    // Paths a browser would normalise, sent as they are.
    for (const path of [
      `/v1/s/${token}/tilesets/${tileSetId}/../${otherTileSetId}/image.dzi`,
      `/v1/s/${token}/tilesets/${tileSetId}%2F..%2F${otherTileSetId}/image.dzi`,
      `/v1/s/${token}/tilesets/${tileSetId}/..%2F..%2F..%2Fv1%2Ftilesets%2F${otherTileSetId}/image.dzi`,
      `/v1/s/${token}/renditions/${tileSetId}/file`,
      `/v1/s/${token}/tilesets/${tileSetId}/events`,
    ]) {
      const status = await rawStatus(path);
      expect([400, 403, 404]).toContain(status);
    }
  });

  it('stop working for everyone once revoked (403), while a new link works; 404 once the tile set is gone', async () => {
    const before = await share();
    expect((await get(before.dziUrl)).response.status).toBe(200);
    const revoked = await owner.client.DELETE('/v1/tilesets/{id}/share', { params: { path: { id: tileSetId } } });
    expect(revoked.response.status).toBe(204);
    const { response, body } = await get(before.dziUrl);
    expectProblem(asProblem(response, body), 403, 'SHARE_LINK_REVOKED');
    const after = await share();
    expect((await get(after.dziUrl)).response.status).toBe(200);

    // Someone else cannot share or revoke it.
    const foreign = await other.client.POST('/v1/tilesets/{id}/share', {
      params: { path: { id: tileSetId } },
      body: {},
    });
    expect(foreign.response.status).toBe(404);

    const doomed = await uploadReady(owner, await sharp(squares).resize(300).png().toBuffer(), {});
    const doomedLink = await share(doomed.id);
    await owner.client.DELETE('/v1/tilesets/{id}', { params: { path: { id: doomed.id } } });
    const gone = await get(doomedLink.dziUrl);
    expectProblem(asProblem(gone.response, gone.body), 404, 'TILE_SET_NOT_FOUND');
  });

  it('cap the life of a link at SHARE_MAX_TTL_SECONDS', async () => {
    const links = await share(tileSetId, owner, 366 * 86_400);
    const life = (new Date(links.expiresAt).getTime() - Date.now()) / 1000;
    expect(life).toBeLessThanOrEqual(api.config.SHARE_MAX_TTL_SECONDS + 1);
    const tooShort = await owner.client.POST('/v1/tilesets/{id}/share', {
      params: { path: { id: tileSetId } },
      body: { ttlSeconds: 10 },
    });
    expect(tooShort.response.status).toBe(400);
  });

  it('share a rendition file, until revoked', async () => {
    const uploaded = await upload(owner.client, await sharp(squares).jpeg().toBuffer(), {
      fields: { presets: 'thumb' },
    });
    const renditionId = uploaded.data!.renditions[0].id;
    for (let i = 0; i < 120; i++) {
      const r = await owner.client.GET('/v1/renditions/{id}', { params: { path: { id: renditionId } } });
      if (r.data?.status === 'ready') break;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    const { data } = await owner.client.POST('/v1/renditions/{id}/share', {
      params: { path: { id: renditionId } },
      body: { ttlSeconds: 600 },
    });
    const file = await get(data!.fileUrl);
    expect(file.response.status).toBe(200);
    expect(file.body.subarray(8, 12).toString()).toBe('WEBP');
    expect(file.response.headers.get('cache-control')).toBe('public, max-age=300');
    await owner.client.DELETE('/v1/renditions/{id}/share', { params: { path: { id: renditionId } } });
    const after = await get(data!.fileUrl);
    expectProblem(asProblem(after.response, after.body), 403, 'SHARE_LINK_REVOKED');
  });
});

const asProblem = (response: Response, body: Buffer) => ({
  status: response.status,
  headers: response.headers,
  body: JSON.parse(body.toString()) as unknown,
});

describe('share links under a low tile rate limit', () => {
  let limited: ApiHarness;
  beforeAll(async () => {
    limited = await startApi({ THROTTLE_TILES_LIMIT: '5' });
  });
  afterAll(() => limited?.close());

  it('are counted like tiles: of 12 requests released at once, 5 pass and 7 get a 429 problem', async () => {
    const user = await limited.userClient();
    const uploaded = await upload(user.client, await sharp(squares).resize(200).png().toBuffer(), {
      fields: { presets: 'none' },
    });
    const id = uploaded.data!.tileSets[0].id;
    await followEvents(`${limited.baseUrl}/v1/tilesets/${id}/events`, user.accessToken);
    const { data } = await user.client.POST('/v1/tilesets/{id}/share', { params: { path: { id } }, body: {} });
    const statuses = await Promise.all(Array.from({ length: 12 }, async () => (await fetch(data!.manifestUrl)).status));
    expect(statuses.filter((s) => s === 200)).toHaveLength(5);
    expect(statuses.filter((s) => s === 429)).toHaveLength(7);
  });

  it('counts tiles once each, refused ones too, with a bearer token or a link', async () => {
    const before = limited.app.get(TilePipeline).counts;
    const user = await limited.userClient();
    const uploaded = await upload(user.client, await sharp(squares).resize(300).png().toBuffer(), {
      fields: { presets: 'none' },
    });
    const id = uploaded.data!.tileSets[0].id;
    await followEvents(`${limited.baseUrl}/v1/tilesets/${id}/events`, user.accessToken);
    const { data } = await user.client.POST('/v1/tilesets/{id}/share', { params: { path: { id } }, body: {} });
    const tilePaths = ['0/0_0.jpeg', '9/0_0.jpeg', '9/1_0.jpeg'];
    for (const [url, headers] of [
      [`${limited.baseUrl}/v1/tilesets/${id}/image_files`, { authorization: `Bearer ${user.accessToken}` }],
      [data!.dziUrl.replace(/\/image\.dzi$/, '/image_files'), {}],
    ] as const) {
      // Two tiles outside the pyramid first: counted once each, like any other tile GET.
      for (const outside of ['9/7_7.jpeg', '9/8_8.jpeg'])
        expect((await fetch(`${url}/${outside}`, { headers })).status).toBe(404);
      const answers = await Promise.all(
        Array.from({ length: 12 }, (_, i) => fetch(`${url}/${tilePaths[i % 3]}`, { headers })),
      );
      expect(answers.filter((r) => r.status === 200)).toHaveLength(3);
      const refused = answers.filter((r) => r.status === 429);
      expect(refused).toHaveLength(9);
      const first = refused[0];
      expectProblem(
        { status: first.status, headers: first.headers, body: await first.json() },
        429,
        'TOO_MANY_REQUESTS',
      );
      expect(Number(refused[0].headers.get('retry-after'))).toBeGreaterThan(0);
    }
    // Every one was the tile pipeline's (the owner of tile GETs): 3 + 3 served, the rest refused.
    const counts = limited.app.get(TilePipeline).counts;
    expect(counts.bearer - before.bearer).toBe(3);
    expect(counts.shared - before.shared).toBe(3);
    expect(counts.refused - before.refused).toBe(2 * (2 + 9));
  });
});

/** The environment the harness's API was started with (to build a config with another key). */
function envOf(harness: ApiHarness): Record<string, string> {
  return { JWT_SECRET: harness.config.JWT_SECRET, NODE_ENV: 'test' };
}

/** Status of a request sent with its path exactly as written (fetch would normalise `..`). */
function rawStatus(path: string): Promise<number> {
  const { port } = new URL(api.baseUrl);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path, method: 'GET' }, (res) => {
      res.resume();
      resolve(res.statusCode!);
    });
    req.on('error', reject);
    req.end();
  });
}
