import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { AppConfig } from '#config';
import { makeJpeg } from '#testing';
import { createApiApp } from '../apps/api/src/app.factory.js';
import { TileFastPath } from '../apps/api/src/tilesets/tile-fast-path.js';
import { type ApiHarness, startApi } from './support/api-harness.js';
import { followEvents } from './support/tiles.js';
import { upload } from './support/uploads.js';

/**
 * The tile fast path answers exactly as the routes do: every request below is sent to an API
 * with the fast path (the default) and to a second API on the same database and storage with
 * TILE_FAST_PATH=false, and the two answers must be the same (status, headers, body), apart
 * from what differs per request (date, request id).
 */
const ORIGIN = 'https://viewer.example';
let fast: ApiHarness;
let route: NestExpressApplication;
let routeUrl: string;
let owner: Awaited<ReturnType<ApiHarness['userClient']>>;
let stranger: Awaited<ReturnType<ApiHarness['userClient']>>;
let adminToken: string;
let tileSetId: string;
let otherTileSetId: string;
let shareBase: string;

beforeAll(async () => {
  fast = await startApi({ CORS_ORIGINS: ORIGIN, RENDITION_PRESETS: '' });
  route = await createApiApp(
    new AppConfig({ ...fast.config, TILE_FAST_PATH: false, WORKER_EMBEDDED: false, MIGRATE_ON_START: false }),
  );
  await route.listen(0, '127.0.0.1');
  routeUrl = `http://127.0.0.1:${(route.getHttpServer().address() as { port: number }).port}`;

  owner = await fast.userClient();
  stranger = await fast.userClient();
  const login = await fast.client().POST('/v1/auth/login', {
    body: { email: 'admin@tessera.test', password: 'admin password for tests' },
  });
  adminToken = login.data!.accessToken;
  const ids: string[] = [];
  for (const size of [900, 700]) {
    const uploaded = await upload(owner.client, await makeJpeg(size, 600), { fields: { tileSize: 256 } });
    const id = uploaded.data!.tileSets[0].id;
    await followEvents(`${fast.baseUrl}/v1/tilesets/${id}/events`, owner.accessToken);
    ids.push(id);
  }
  [tileSetId, otherTileSetId] = ids as [string, string];
  const share = await owner.client.POST('/v1/tilesets/{id}/share', { params: { path: { id: tileSetId } }, body: {} });
  shareBase = new URL(share.data!.dziUrl).pathname.replace(/\/image\.dzi$/, '');
});
afterAll(async () => {
  await route?.close();
  await fast?.close();
});

const VARYING = new Set(['date', 'x-request-id', 'keep-alive', 'connection']);

async function answer(base: string, path: string, headers: Record<string, string>) {
  const response = await fetch(`${base}${path}`, { headers });
  const body = Buffer.from(await response.arrayBuffer());
  const problem = /problem\+json/.test(response.headers.get('content-type') ?? '');
  // (Express tags a problem with a weak ETag of its body, which holds the request id.)
  const kept = [...response.headers].filter(([name]) => !VARYING.has(name) && !(problem && name === 'etag'));
  return {
    status: response.status,
    headers: Object.fromEntries(kept),
    // A problem names its request id: the rest must match.
    body: problem
      ? { ...(JSON.parse(body.toString()) as object), requestId: '(per request)' }
      : body.toString('base64'),
  };
}

/** The share path with the token's last character changed. */
const altered = (base: string) =>
  base.replace(/(.)(\/tilesets\/)/, (_, last: string, rest: string) => `${last === 'A' ? 'B' : 'A'}${rest}`);
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const tile = (id: string, path = '10/1_1.jpeg') => `/v1/tilesets/${id}/image_files/${path}`;

it('answers every kind of tile request exactly as the route does', async () => {
  const served = await fetch(`${fast.baseUrl}${tile(tileSetId)}`, { headers: bearer(owner.accessToken) });
  expect(served.status).toBe(200);
  const etag = served.headers.get('etag')!;
  // A tile nobody has read yet (not cached by either API), then removed behind their backs.
  await rm(join(fast.storageRoot, 'tilesets', tileSetId, '10', '2_1.jpeg'));

  const cases: [string, string, Record<string, string>][] = [
    ['owner', tile(tileSetId), bearer(owner.accessToken)],
    ['revalidation', tile(tileSetId), { ...bearer(owner.accessToken), 'if-none-match': etag }],
    ['stale revalidation', tile(tileSetId), { ...bearer(owner.accessToken), 'if-none-match': '"other"' }],
    ['range', tile(tileSetId), { ...bearer(owner.accessToken), range: 'bytes=0-9' }],
    ['cors', tile(tileSetId), { ...bearer(owner.accessToken), origin: ORIGIN }],
    ['admin', tile(tileSetId), bearer(adminToken)],
    ['no token', tile(tileSetId), {}],
    ['not a bearer token', tile(tileSetId), { authorization: `Basic ${owner.accessToken}` }],
    ['forged token', tile(tileSetId), bearer(`${owner.accessToken.slice(0, -4)}AAAA`)],
    ['a stranger', tile(tileSetId), bearer(stranger.accessToken)],
    ['unknown tile set', tile('00000000-0000-4000-8000-000000000000'), bearer(owner.accessToken)],
    ['upper-case id', tile(tileSetId.toUpperCase()), bearer(owner.accessToken)],
    ['outside the pyramid', tile(tileSetId, '10/99_1.jpeg'), bearer(owner.accessToken)],
    ['level out of range', tile(tileSetId, '999/0_0.jpeg'), bearer(owner.accessToken)],
    ['wrong format', tile(tileSetId, '10/1_1.png'), bearer(owner.accessToken)],
    ['not a tile name', tile(tileSetId, '10/one_1.jpeg'), bearer(owner.accessToken)],
    ['percent-encoded name', tile(tileSetId, '10/%31_1.jpeg'), bearer(owner.accessToken)],
    ['lost from storage', tile(tileSetId, '10/2_1.jpeg'), bearer(owner.accessToken)],
    ['share link', `${shareBase}/image_files/10/1_1.jpeg`, {}],
    ['share link revalidation', `${shareBase}/image_files/10/1_1.jpeg`, { 'if-none-match': etag }],
    ['share link, other tile set', `${shareBase.replace(tileSetId, otherTileSetId)}/image_files/10/1_1.jpeg`, {}],
    ['share link, altered', `${altered(shareBase)}/image_files/10/1_1.jpeg`, {}],
    ['share link, outside the pyramid', `${shareBase}/image_files/10/99_1.jpeg`, {}],
  ];
  for (const [name, path, headers] of cases) {
    const before = fast.app.get(TileFastPath).counts;
    const viaFastPath = await answer(fast.baseUrl, path, headers);
    const viaRoute = await answer(routeUrl, path, headers);
    expect({ name, ...viaFastPath }).toEqual({ name, ...viaRoute });
    // And the fast path did answer the successes itself (else this test proves nothing),
    // except an encoded path, which it leaves to the router to decode.
    const after = fast.app.get(TileFastPath).counts;
    const answeredHere =
      after.bearer + after.shared + after.notModified - before.bearer - before.shared - before.notModified;
    const expected = viaFastPath.status < 400 && !path.includes('%') ? 1 : 0;
    expect({ name, answeredHere }).toEqual({ name, answeredHere: expected });
  }
});

it('leaves requests it does not serve to the route (HEAD, other paths)', async () => {
  const before = fast.app.get(TileFastPath).counts;
  const head = await fetch(`${fast.baseUrl}${tile(tileSetId)}`, { method: 'HEAD', headers: bearer(owner.accessToken) });
  expect(head.status).toBe(200);
  expect(head.headers.get('content-type')).toBe('image/jpeg');
  const dzi = await fetch(`${fast.baseUrl}/v1/tilesets/${tileSetId}/image.dzi`, { headers: bearer(owner.accessToken) });
  expect(dzi.status).toBe(200);
  expect(fast.app.get(TileFastPath).counts).toEqual(before);
});
