import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { makeJpeg } from '#testing';
import { TilePipeline } from '../apps/api/src/tilesets/tile-pipeline.js';
import { type ApiHarness, startApi } from './support/api-harness.js';
import { followEvents } from './support/tiles.js';
import { upload } from './support/uploads.js';

/**
 * The tile GETs (getTile, getSharedTile) have one owner, the tile pipeline: every kind of
 * tile request and IIIF image request below, refusals included, is answered by it (its counts move by one each),
 * with the answer the operations document. These are the 29 cases a differential suite
 * compared, answer for answer (status, headers, body), with the Nest routes before the
 * pipeline replaced them.
 */
const ORIGIN = 'https://viewer.example';
let api: ApiHarness;
let owner: Awaited<ReturnType<ApiHarness['userClient']>>;
let stranger: Awaited<ReturnType<ApiHarness['userClient']>>;
let adminToken: string;
let tileSetId: string;
let otherTileSetId: string;
let shareBase: string;

beforeAll(async () => {
  api = await startApi({ CORS_ORIGINS: ORIGIN, RENDITION_PRESETS: 'none' });
  owner = await api.userClient();
  stranger = await api.userClient();
  const login = await api.client().POST('/v1/auth/login', {
    body: { email: 'admin@tessera.test', password: 'admin password for tests' },
  });
  adminToken = login.data!.accessToken;
  const ids: string[] = [];
  for (const size of [900, 700]) {
    const uploaded = await upload(owner.client, await makeJpeg(size, 600), { fields: { tileSize: 256 } });
    const id = uploaded.data!.tileSets[0].id;
    await followEvents(`${api.baseUrl}/v1/tilesets/${id}/events`, owner.accessToken);
    ids.push(id);
  }
  [tileSetId, otherTileSetId] = ids as [string, string];
  const share = await owner.client.POST('/v1/tilesets/{id}/share', { params: { path: { id: tileSetId } }, body: {} });
  shareBase = new URL(share.data!.dziUrl).pathname.replace(/\/image\.dzi$/, '');
});
afterAll(() => api?.close());

/** The share path with the token's last character changed. */
const altered = (base: string) =>
  base.replace(/(.)(\/tilesets\/)/, (_, last: string, rest: string) => `${last === 'A' ? 'B' : 'A'}${rest}`);
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const tile = (id: string, path = '10/1_1.jpeg') => `/v1/tilesets/${id}/image_files/${path}`;
const IMMUTABLE = 'private, max-age=31536000, immutable';
const A_DAY = 'private, max-age=86400';
/** Under a share link: SHARE_CACHE_SECONDS (the default), as a shared cache may keep it. */
const SHARED_CACHE = 'public, max-age=300';

interface Expected {
  status: number;
  /** The problem's code, for a refusal with a body. */
  code?: string;
  cacheControl?: string | RegExp;
  authenticate?: string;
}

it('answers every kind of tile request itself, as the operations document', async () => {
  const served = await fetch(`${api.baseUrl}${tile(tileSetId)}`, { headers: bearer(owner.accessToken) });
  const etag = served.headers.get('etag')!;
  const bytes = await readFile(join(api.storageRoot, 'tilesets', tileSetId, '10', '1_1.jpeg'));
  expect(Buffer.from(await served.arrayBuffer())).toEqual(bytes);
  await rm(join(api.storageRoot, 'tilesets', tileSetId, '10', '2_1.jpeg')); // lost behind its back

  const auth = 'Bearer realm="tessera"';
  const owners = bearer(owner.accessToken);
  const cases: [string, string, Record<string, string>, Expected][] = [
    ['owner', tile(tileSetId), owners, { status: 200, cacheControl: IMMUTABLE }],
    ['revalidation', tile(tileSetId), { ...owners, 'if-none-match': etag }, { status: 304 }],
    ['stale revalidation', tile(tileSetId), { ...owners, 'if-none-match': '"other"' }, { status: 200 }],
    ['range', tile(tileSetId), { ...owners, range: 'bytes=0-9' }, { status: 200 }],
    ['cors', tile(tileSetId), { ...owners, origin: ORIGIN }, { status: 200 }],
    ['admin', tile(tileSetId), bearer(adminToken), { status: 200 }],
    ['no token', tile(tileSetId), {}, { status: 401, code: 'AUTHENTICATION_REQUIRED', authenticate: auth }],
    [
      'not a bearer token',
      tile(tileSetId),
      { authorization: `Basic ${owner.accessToken}` },
      { status: 401, code: 'AUTHENTICATION_REQUIRED', authenticate: auth },
    ],
    [
      'forged token',
      tile(tileSetId),
      bearer(`${owner.accessToken.slice(0, -4)}AAAA`),
      { status: 401, code: 'INVALID_ACCESS_TOKEN', authenticate: `${auth}, error="invalid_token"` },
    ],
    ['a stranger', tile(tileSetId), bearer(stranger.accessToken), { status: 404, code: 'TILE_SET_NOT_FOUND' }],
    [
      'unknown tile set',
      tile('00000000-0000-4000-8000-000000000000'),
      owners,
      { status: 404, code: 'TILE_SET_NOT_FOUND' },
    ],
    // (It answered 500 INVALID_STORAGE_KEY until the manifest was read by the row's id.)
    ['upper-case id', tile(tileSetId.toUpperCase()), owners, { status: 200 }],
    [
      'outside the pyramid',
      tile(tileSetId, '10/99_1.jpeg'),
      owners,
      { status: 404, code: 'TILE_NOT_FOUND', cacheControl: A_DAY },
    ],
    [
      'level out of range',
      tile(tileSetId, '999/0_0.jpeg'),
      owners,
      { status: 404, code: 'TILE_NOT_FOUND', cacheControl: A_DAY },
    ],
    [
      'wrong format',
      tile(tileSetId, '10/1_1.png'),
      owners,
      { status: 404, code: 'TILE_NOT_FOUND', cacheControl: A_DAY },
    ],
    ['not a tile name', tile(tileSetId, '10/one_1.jpeg'), owners, { status: 400, code: 'VALIDATION_FAILED' }],
    ['percent-encoded name', tile(tileSetId, '10/%31_1.jpeg'), owners, { status: 200 }],
    ['lost from storage', tile(tileSetId, '10/2_1.jpeg'), owners, { status: 404, code: 'TILE_NOT_FOUND' }],
    ['share link', `${shareBase}/image_files/10/1_1.jpeg`, {}, { status: 200, cacheControl: SHARED_CACHE }],
    ['share link revalidation', `${shareBase}/image_files/10/1_1.jpeg`, { 'if-none-match': etag }, { status: 304 }],
    [
      'share link, other tile set',
      `${shareBase.replace(tileSetId, otherTileSetId)}/image_files/10/1_1.jpeg`,
      {},
      { status: 403, code: 'SHARE_LINK_INVALID' },
    ],
    [
      'share link, altered',
      `${altered(shareBase)}/image_files/10/1_1.jpeg`,
      {},
      { status: 403, code: 'SHARE_LINK_INVALID' },
    ],
    [
      'share link, outside the pyramid',
      `${shareBase}/image_files/10/99_1.jpeg`,
      {},
      { status: 404, code: 'TILE_NOT_FOUND', cacheControl: A_DAY },
    ],
    ['head', tile(tileSetId), { ...owners, method: 'HEAD' }, { status: 200, cacheControl: IMMUTABLE }],
    ['head, no token', tile(tileSetId), { method: 'HEAD' }, { status: 401, authenticate: auth }],
    ['not a uuid', tile('not-a-uuid'), owners, { status: 400, code: 'VALIDATION_FAILED' }],
    ['not a uuid, no token', tile('not-a-uuid'), {}, { status: 401, code: 'AUTHENTICATION_REQUIRED' }],
    [
      'share link, not a uuid',
      `${shareBase.replace(tileSetId, 'nope')}/image_files/10/1_1.jpeg`,
      {},
      { status: 403, code: 'SHARE_LINK_INVALID' },
    ],
    ['bad percent-encoding', tile(tileSetId, '10/%E0_1.jpeg'), owners, { status: 400, code: 'BAD_REQUEST' }],
  ];
  const answered = () => {
    const c = api.app.get(TilePipeline).counts;
    return c.bearer + c.shared + c.notModified + c.refused;
  };
  for (const [name, path, { method = 'GET', ...headers }, expected] of cases) {
    const before = answered();
    const response = await fetch(`${api.baseUrl}${path}`, { method, headers });
    const body = Buffer.from(await response.arrayBuffer());
    const type = response.headers.get('content-type') ?? '';
    const { cacheControl, ...want } = expected;
    const seen: Omit<Expected, 'cacheControl'> = { status: response.status };
    if (type.startsWith('application/problem+json') && method !== 'HEAD')
      seen.code = (JSON.parse(body.toString()) as { code: string }).code;
    if (expected.authenticate !== undefined) seen.authenticate = response.headers.get('www-authenticate') ?? '';
    expect({ name, ...seen }).toEqual({ name, ...want });
    const cache = response.headers.get('cache-control') ?? '';
    if (typeof cacheControl === 'string') expect({ name, cache }).toEqual({ name, cache: cacheControl });
    if (cacheControl instanceof RegExp)
      expect({ name, cache }).toEqual({ name, cache: expect.stringMatching(cacheControl) });
    if (response.status === 200) {
      expect({ name, type }).toEqual({ name, type: 'image/jpeg' });
      if (method === 'GET') expect({ name, same: body.equals(bytes) }).toEqual({ name, same: true });
    }
    if (headers.origin) expect(response.headers.get('access-control-allow-origin')).toBe(ORIGIN);
    // The pipeline answered it, never the router: exactly one more answer counted.
    expect({ name, answered: answered() - before }).toEqual({ name, answered: 1 });
  }
});

it('answers IIIF image requests itself too: a stored tile as stored, a render, and the refusals', async () => {
  const owners = bearer(owner.accessToken);
  const stored = await fetch(`${api.baseUrl}${tile(tileSetId)}`, { headers: owners });
  const storedBytes = Buffer.from(await stored.arrayBuffer());
  // Tile 1,1 of level 10 (full resolution, 900 x 600, no overlap) as a IIIF viewer names it.
  const aligned = '256,256,256,256/256,/0/default.jpg';
  const iiif = (id: string, request: string) => `/v1/tilesets/${id}/iiif/${request}`;
  const counts = () => api.app.get(TilePipeline).counts;
  /** Each case: name, path, headers, status, and what it answers ('stored', 'rendered' or a problem code). */
  const cases: [string, string, Record<string, string>, number, string][] = [
    ['stored tile', iiif(tileSetId, aligned), owners, 200, 'stored'],
    ['stored tile, share link', `${shareBase}/iiif/${aligned}`, {}, 200, 'stored'],
    ['render', iiif(tileSetId, 'full/100,/0/default.jpg'), owners, 200, 'rendered'],
    ['render, share link', `${shareBase}/iiif/full/100,/0/gray.png`, {}, 200, 'rendered'],
    ['no token', iiif(tileSetId, aligned), {}, 401, 'AUTHENTICATION_REQUIRED'],
    ['a stranger', iiif(tileSetId, aligned), bearer(stranger.accessToken), 404, 'TILE_SET_NOT_FOUND'],
    ['bad region', iiif(tileSetId, '9999,0,10,10/max/0/default.jpg'), owners, 400, 'INVALID_IIIF_REQUEST'],
    ['not a uuid', iiif('nope', aligned), owners, 400, 'VALIDATION_FAILED'],
    [
      'share link, other tile set',
      `${shareBase.replace(tileSetId, otherTileSetId)}/iiif/${aligned}`,
      {},
      403,
      'SHARE_LINK_INVALID',
    ],
  ];
  for (const [name, path, headers, status, what] of cases) {
    const before = counts();
    const response = await fetch(`${api.baseUrl}${path}`, { headers });
    const body = Buffer.from(await response.arrayBuffer());
    expect({ name, status: response.status }).toEqual({ name, status });
    if (what === 'stored') {
      expect({ name, same: body.equals(storedBytes), etag: response.headers.get('etag') }).toEqual({
        name,
        same: true,
        etag: stored.headers.get('etag'),
      });
    } else if (what !== 'rendered') {
      expect({ name, code: (JSON.parse(body.toString()) as { code: string }).code }).toEqual({ name, code: what });
    }
    // Answered by the pipeline, never the router.
    const after = counts();
    const moved = status === 200 ? after.iiif - before.iiif : after.refused - before.refused;
    expect({ name, moved }).toEqual({ name, moved: 1 });
  }
});

it('leaves everything else to the router (other paths, other methods)', async () => {
  const before = api.app.get(TilePipeline).counts;
  const dzi = await fetch(`${api.baseUrl}/v1/tilesets/${tileSetId}/image.dzi`, { headers: bearer(owner.accessToken) });
  expect(dzi.status).toBe(200);
  const info = await fetch(`${api.baseUrl}/v1/tilesets/${tileSetId}/iiif/info.json`, {
    headers: bearer(owner.accessToken),
  });
  expect(info.status).toBe(200);
  const preflight = await fetch(`${api.baseUrl}${tile(tileSetId)}`, {
    method: 'OPTIONS',
    headers: {
      origin: ORIGIN,
      'access-control-request-method': 'GET',
      'access-control-request-headers': 'authorization',
    },
  });
  expect(preflight.status).toBe(204);
  expect(preflight.headers.get('access-control-allow-origin')).toBe(ORIGIN);
  const post = await fetch(`${api.baseUrl}${tile(tileSetId)}`, { method: 'POST', headers: bearer(owner.accessToken) });
  expect(post.status).toBe(404);
  expect(api.app.get(TilePipeline).counts).toEqual(before);
});

it('runs the middleware every route runs first: the request id, the headers of an image, CORS', async () => {
  const mine = await fetch(`${api.baseUrl}${tile(tileSetId)}`, {
    headers: { ...bearer(owner.accessToken), origin: ORIGIN, 'x-request-id': 'viewer-trace-1' },
  });
  expect(mine.status).toBe(200);
  expect({
    id: mine.headers.get('x-request-id'),
    sniff: mine.headers.get('x-content-type-options'),
    corp: mine.headers.get('cross-origin-resource-policy'),
    origin: mine.headers.get('access-control-allow-origin'),
    csp: mine.headers.get('content-security-policy'),
  }).toEqual({ id: 'viewer-trace-1', sniff: 'nosniff', corp: 'same-origin', origin: ORIGIN, csp: null });
  const shared = await fetch(`${api.baseUrl}${shareBase}/image_files/10/1_1.jpeg`, {
    headers: { origin: 'https://elsewhere.example' },
  });
  expect(shared.status).toBe(200);
  expect({
    id: shared.headers.get('x-request-id'),
    corp: shared.headers.get('cross-origin-resource-policy'),
    origin: shared.headers.get('access-control-allow-origin'),
  }).toEqual({ id: expect.stringMatching(/^[0-9a-f-]{36}$/), corp: 'cross-origin', origin: '*' });
});
