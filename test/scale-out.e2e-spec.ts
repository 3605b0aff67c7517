import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabase, makeJpeg, type TestDatabase } from '#testing';
import { API, assertBuilt, listeningPort, run, type Run, waitFor } from './support/processes.js';
import { followEvents } from './support/tiles.js';

/**
 * Two API processes on one database and one storage, as behind a load balancer: what one
 * instance learns, the other must too. One shared rate limit (exact for sign-in, shared
 * within a second for the rest); a tile set cut by one instance streams its progress to a
 * client of the other; a tile set deleted through one is gone from the other's cache; a
 * session ended on one is refused by the other; a shared collection's member taken out, or
 * its link revoked, on one stops on the other.
 */
beforeAll(assertBuilt);

let db: TestDatabase;
let dataDir: string;
let a: { process: Run; url: string };
let b: { process: Run; url: string };
const PASSWORD = 'scale out admin password';

beforeAll(async () => {
  db = await createTestDatabase('tessera_scale');
  dataDir = await mkdtemp(join(tmpdir(), 'tessera-scale-'));
  const env = {
    DATABASE_URL: db.url,
    STORAGE_LOCAL_ROOT: join(dataDir, 'storage'),
    UPLOAD_TMP_DIR: join(dataDir, 'tmp'),
    TILING_WORK_DIR: join(dataDir, 'tmp', 'tiling'),
    PORT: '0',
    HOST: '127.0.0.1',
    ADMIN_PASSWORD: PASSWORD,
    JWT_SECRET: 'scale-out-shared-secret'.padEnd(40, 'x'),
    THROTTLE_AUTH_LIMIT: '6',
    THROTTLE_LIMIT: '30',
  };
  const start = async (extra: Record<string, string>) => {
    const process = run(API, { ...env, ...extra });
    await waitFor(process, 'Tessera API listening on');
    return { process, url: `http://127.0.0.1:${listeningPort(process)}` };
  };
  a = await start({ WORKER_EMBEDDED: 'true' });
  b = await start({ WORKER_EMBEDDED: 'false' }); // B only serves: whatever B sees of tiling came from A
}, 120_000);
afterAll(async () => {
  for (const instance of [a, b]) {
    instance?.process.child.kill('SIGTERM');
    await instance?.process.exited;
  }
  await db?.drop();
  await rm(dataDir, { recursive: true, force: true });
});

const login = (url: string, email = 'admin@tessera.local', password = PASSWORD) =>
  fetch(`${url}/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password }),
  });
const tokens = async (url: string) =>
  (await (await login(url)).json()) as { accessToken: string; refreshToken: string };
const get = (url: string, path: string, token: string) =>
  fetch(`${url}${path}`, { headers: { authorization: `Bearer ${token}` } });

async function eventually(check: () => Promise<boolean>, ms = 5_000): Promise<void> {
  const started = Date.now();
  while (!(await check())) {
    if (Date.now() - started > ms) throw new Error(`still not true after ${ms} ms`);
    await new Promise((done) => setTimeout(done, 50));
  }
}

it('streams progress of a tile set cut by A to a client of B, and drops it from B when A deletes it', async () => {
  const { accessToken } = await tokens(a.url);
  const form = new FormData();
  form.append('file', new Blob([new Uint8Array(await makeJpeg(2400, 1200))], { type: 'image/jpeg' }), 'p.jpg');
  form.append('tileFormat', 'png'); // slower to cut: several progress events
  const uploaded = (await (
    await fetch(`${a.url}/v1/panoramas`, {
      method: 'POST',
      headers: { authorization: `Bearer ${accessToken}` },
      body: form,
    })
  ).json()) as { tileSets: { id: string }[] };
  const tileSetId = uploaded.tileSets[0].id;

  const events = await followEvents(`${b.url}/v1/tilesets/${tileSetId}/events`, accessToken);
  expect(events.at(-1)).toMatchObject({ event: 'ready', data: { id: tileSetId, progress: 1 } });

  // B caches the ready tile set as it serves a tile; A deletes it; B must stop serving it.
  const tile = `/v1/tilesets/${tileSetId}/image_files/0/0_0.png`;
  expect((await get(b.url, tile, accessToken)).status).toBe(200);
  expect(
    (
      await fetch(`${a.url}/v1/tilesets/${tileSetId}`, {
        method: 'DELETE',
        headers: { authorization: `Bearer ${accessToken}` },
      })
    ).status,
  ).toBe(204);
  await eventually(async () => (await get(b.url, tile, accessToken)).status === 404);
});

it('refuses on B a session that ended on A', async () => {
  const session = await tokens(a.url);
  expect((await get(b.url, '/v1/users/me', session.accessToken)).status).toBe(200);
  await fetch(`${a.url}/v1/auth/logout`, {
    method: 'POST',
    headers: { authorization: `Bearer ${session.accessToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({ refreshToken: session.refreshToken }),
  });
  await eventually(async () => (await get(b.url, '/v1/users/me', session.accessToken)).status === 401);
});

it("stops on B a shared collection's member taken out on A, then everything of the link revoked on A", async () => {
  const { accessToken } = await tokens(a.url);
  const call = (path: string, method = 'GET', json?: unknown) =>
    fetch(`${a.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${accessToken}`, 'content-type': 'application/json' },
      body: json === undefined ? undefined : JSON.stringify(json),
    });
  const collection = (await (await call('/v1/collections', 'POST', { name: 'Across' })).json()) as { id: string };
  const form = new FormData();
  form.append('file', new Blob([new Uint8Array(await makeJpeg(600, 300))], { type: 'image/jpeg' }), 'c.jpg');
  form.append('collectionId', collection.id);
  const uploaded = (await (
    await fetch(`${a.url}/v1/panoramas`, {
      method: 'POST',
      headers: { authorization: `Bearer ${accessToken}` },
      body: form,
    })
  ).json()) as { id: string; tileSets: { id: string }[] };
  const events = await followEvents(`${a.url}/v1/tilesets/${uploaded.tileSets[0].id}/events`, accessToken);
  expect(events.at(-1)?.event).toBe('ready');
  const link = (await (await call(`/v1/collections/${collection.id}/share`, 'POST', {})).json()) as {
    id: string;
    url: string;
  };
  const onB = (url: string) => fetch(url.replace(a.url, b.url));
  const shared = (await (await onB(link.url)).json()) as { items: { tileSets: { dziUrl: string }[] }[] };
  const tile = shared.items[0].tileSets[0].dziUrl.replace(/image\.dzi$/, 'image_files/0/0_0.jpeg');
  expect((await onB(tile)).status).toBe(200); // B now holds the membership

  expect((await call(`/v1/collections/${collection.id}/panoramas/${uploaded.id}`, 'DELETE')).status).toBe(204);
  await eventually(async () => (await onB(tile)).status === 403, 30_000);
  expect(
    (await call(`/v1/collections/${collection.id}/panoramas`, 'POST', { panoramaIds: [uploaded.id] })).status,
  ).toBe(204);
  await eventually(async () => (await onB(tile)).status === 200, 30_000);

  expect((await call(`/v1/collections/${collection.id}/shares/${link.id}`, 'DELETE')).status).toBe(204);
  await eventually(async () => (await onB(tile)).status === 403 && (await onB(link.url)).status === 403, 30_000);
});

it('shares one sign-in limit between the instances, exactly', async () => {
  // Counting starts from what the tests above used; 6 per minute in all.
  const statuses: number[] = [];
  for (let i = 0; i < 8; i++)
    statuses.push((await login(i % 2 ? a.url : b.url, 'nobody@example.com', 'x'.repeat(12))).status);
  const refused = statuses.filter((s) => s === 429).length;
  const allowed = statuses.length - refused;
  // Alone, each instance would have allowed 6: 8 attempts would all have passed.
  expect(refused).toBeGreaterThan(0);
  expect(allowed).toBeLessThanOrEqual(6);
});

it('shares the general limit too, within a second', async () => {
  const { accessToken } = await tokens(b.url).catch(() => ({ accessToken: '' }));
  // 30 per minute per route and address; A takes 20, then (after a flush) B is allowed about 10.
  const ask = (url: string) => get(url, '/health/ready', accessToken).then((r) => r.status);
  for (let i = 0; i < 20; i++) expect(await ask(a.url)).toBe(200);
  await new Promise((done) => setTimeout(done, 1_500));
  const onB: number[] = [];
  for (let i = 0; i < 20; i++) onB.push(await ask(b.url));
  expect(onB.filter((s) => s === 200).length).toBeLessThanOrEqual(11);
  expect(onB).toContain(429);
});
