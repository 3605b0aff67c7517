import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { createTestDatabase, makeJpeg, type TestDatabase } from '#testing';
import { ADMIN_CLI, API, assertBuilt, listeningPort, run, type Run, waitFor } from './support/processes.js';
import { followEvents } from './support/tiles.js';

/**
 * With no JWT_SECRET and no SHARE_KEYS (as the README's set-up leaves them), sessions and
 * share links outlive a restart and work on every process of a cluster: the keys are made
 * once and kept in the database. Real processes, real restarts.
 */
beforeAll(assertBuilt);

let db: TestDatabase;
let dataDir: string;
const ADMIN_PASSWORD = 'stored keys admin pw';
const env = () => ({
  DATABASE_URL: db.url,
  STORAGE_LOCAL_ROOT: join(dataDir, 'storage'),
  UPLOAD_TMP_DIR: join(dataDir, 'tmp'),
  TILING_WORK_DIR: join(dataDir, 'tiling'),
  UPLOAD_RESUMABLE_DIR: join(dataDir, 'resumable'),
  PORT: '0',
  HOST: '127.0.0.1',
  ADMIN_PASSWORD,
});
const running: Run[] = [];
async function start(extra: Record<string, string> = {}, ready = 'Tessera API listening on'): Promise<string> {
  const api = run(API, { ...env(), ...extra });
  running.push(api);
  await waitFor(api, ready);
  return `http://127.0.0.1:${listeningPort(api)}`;
}
async function stop(): Promise<string> {
  const api = running.pop()!;
  api.child.kill('SIGTERM');
  expect((await api.exited).code).toBe(0);
  return api.output();
}
const admin = (...args: string[]) => run(ADMIN_CLI, env(), { args });
/** The path of a share URL, to ask another process (another port) for it. */
const pathOf = (url: string) => new URL(url).pathname;

beforeAll(async () => {
  db = await createTestDatabase('tessera_keys');
  dataDir = await mkdtemp(join(tmpdir(), 'tessera-keys-'));
});
afterAll(async () => {
  for (const api of running) api.child.kill('SIGKILL');
  // Gone before their directory goes (a process still writing makes rm fail: ENOTEMPTY).
  await Promise.all(running.map((api) => api.exited));
  await db?.drop();
  await rm(dataDir, { recursive: true, force: true });
});

it('keeps sessions and share links across a restart and a cluster, rotates share keys, and never logs a key', async () => {
  let base = await start();
  const login = await fetch(`${base}/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: 'admin@tessera.local', password: ADMIN_PASSWORD }),
  });
  const { accessToken } = (await login.json()) as { accessToken: string };
  const auth = { authorization: `Bearer ${accessToken}` };
  const form = new FormData();
  form.append('presets', 'none');
  form.append('file', new Blob([new Uint8Array(await makeJpeg(600, 300))]), 'keys.jpg');
  const uploaded = (await (
    await fetch(`${base}/v1/panoramas`, { method: 'POST', headers: auth, body: form })
  ).json()) as {
    tileSets: { id: string }[];
  };
  const tileSetId = uploaded.tileSets[0].id;
  expect((await followEvents(`${base}/v1/tilesets/${tileSetId}/events`, accessToken)).at(-1)?.event).toBe('ready');
  const share = async () =>
    (
      (await (
        await fetch(`${base}/v1/tilesets/${tileSetId}/share`, {
          method: 'POST',
          headers: { ...auth, 'content-type': 'application/json' },
          body: '{}',
        })
      ).json()) as { dziUrl: string }
    ).dziUrl;
  const first = await share();
  expect((await fetch(first)).status).toBe(200);
  const firstOutput = await stop();
  expect(firstOutput).toContain(
    'Login tokens are signed with a key kept in the database; share links with keys from the database (1 active, signing with s1)',
  );

  // Restarted as a cluster of two: every process takes the old session and the old link.
  base = await start({ API_PROCESSES: '2' }, 'Tessera API: 2 processes listening on');
  const answers = await Promise.all(
    Array.from({ length: 6 }, async () => [
      (await fetch(`${base}${pathOf(first)}`)).status,
      (await fetch(`${base}/v1/users/me`, { headers: auth })).status,
    ]),
  );
  expect(answers).toEqual(Array.from({ length: 6 }, () => [200, 200]));
  const clusterOutput = await stop();

  // Rotation: a new key signs, the old one verifies until it is retired.
  const rotate = admin('share-keys', 'rotate');
  expect((await rotate.exited).code).toBe(0);
  expect(rotate.output()).toContain('New share-link key s2');
  base = await start();
  const second = await share();
  expect(second.split('/s/')[1].startsWith('s2.')).toBe(true);
  expect([(await fetch(`${base}${pathOf(first)}`)).status, (await fetch(second)).status]).toEqual([200, 200]);
  await stop();
  const retire = admin('share-keys', 'retire', 's1');
  expect((await retire.exited).code).toBe(0);
  const lastOne = admin('share-keys', 'retire', 's2');
  expect((await lastOne.exited).code).toBe(1);
  expect(lastOne.output()).toContain('it is the last one');
  base = await start();
  const refused = await fetch(`${base}${pathOf(first)}`);
  expect(refused.status).toBe(403);
  expect((await fetch(`${base}${pathOf(second)}`)).status).toBe(200);
  const lastOutput = await stop();

  // The keys themselves appear in no log.
  const client = new pg.Client({ connectionString: db.url });
  await client.connect();
  const { rows } = await client.query<{ secret: string }>('select secret from server_keys');
  await client.end();
  expect(rows).toHaveLength(3);
  for (const { secret } of rows)
    for (const output of [firstOutput, clusterOutput, lastOutput, rotate.output()])
      expect(output).not.toContain(secret);
});
