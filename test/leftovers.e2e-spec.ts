import http from 'node:http';
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabase, makeJpeg, type TestDatabase } from '#testing';
import { API, assertBuilt, listeningPort, run, type Run, waitFor } from './support/processes.js';
import { multipartBody } from './support/uploads.js';

/**
 * A process killed mid-upload (kill -9) leaves its staged file; once 40 MiB stayed after
 * three restarts, because the sweep ran only at start-up and only for day-old files. Every
 * process now sweeps periodically, by age relative to the longest a request may take.
 */
beforeAll(assertBuilt);

let db: TestDatabase;
let dataDir: string;
beforeAll(async () => {
  db = await createTestDatabase('tessera_leftovers');
  dataDir = await mkdtemp(join(tmpdir(), 'tessera-leftovers-'));
});
afterAll(async () => {
  await db?.drop();
  await rm(dataDir, { recursive: true, force: true });
});

const env = () => ({
  DATABASE_URL: db.url,
  STORAGE_LOCAL_ROOT: join(dataDir, 'storage'),
  UPLOAD_TMP_DIR: join(dataDir, 'tmp'),
  TILING_WORK_DIR: join(dataDir, 'tmp', 'tiling'),
  PORT: '0',
  HOST: '127.0.0.1',
  ADMIN_PASSWORD: 'leftovers admin password',
  HTTP_REQUEST_TIMEOUT_SECONDS: '5', // the least allowed: the test waits it out
  TEMP_SWEEP_INTERVAL_SECONDS: '1',
});
const staged = async () =>
  (await readdir(join(dataDir, 'tmp')).catch(() => [] as string[])).filter((name) => name.endsWith('.upload'));

async function startApi(): Promise<{ api: Run; base: string }> {
  const api = run(API, env());
  await waitFor(api, 'Tessera API listening on');
  return { api, base: `http://127.0.0.1:${listeningPort(api)}` };
}

it('removes the staged file of an upload whose process was killed, on a later process, once no request can own it', async () => {
  const first = await startApi();
  const login = await fetch(`${first.base}/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: 'admin@tessera.local', password: 'leftovers admin password' }),
  });
  const { accessToken } = (await login.json()) as { accessToken: string };

  // Half an upload, then the server dies under it.
  const { body, contentType } = multipartBody([
    { name: 'file', filename: 'big.jpg', contentType: 'image/jpeg', data: await makeJpeg(3000, 1500) },
  ]);
  const request = http.request(`${first.base}/v1/panoramas`, {
    method: 'POST',
    headers: { authorization: `Bearer ${accessToken}`, 'content-type': contentType, 'content-length': body.length },
  });
  request.on('error', () => undefined);
  request.write(body.subarray(0, body.length / 2));
  while ((await staged()).length === 0) await new Promise((done) => setTimeout(done, 50));
  const leftover = await staged();
  expect(leftover).toHaveLength(1);
  first.api.child.kill('SIGKILL');
  await first.api.exited;
  request.destroy();
  expect(await staged()).toEqual(leftover);

  const writtenAt = (await stat(join(dataDir, 'tmp', leftover[0]))).mtimeMs;

  // A new process keeps it while a request could still own it (5 s after its last write),
  // then removes it. Judged by the removal's own time, not by how fast this machine starts
  // a process (a loaded one may take longer than 5 s, and the file is rightly gone by then).
  const second = await startApi();
  try {
    await waitFor(second.api, /Removed 1 orphaned staged upload/, 60_000);
    expect(await staged()).toEqual([]);
    const line = second.api
      .output()
      .split('\n')
      .find((l) => l.includes('Removed 1 orphaned staged upload'))!;
    const removedAt = (JSON.parse(line) as { time: number }).time;
    expect(removedAt - writtenAt).toBeGreaterThanOrEqual(5_000);
  } finally {
    second.api.child.kill('SIGTERM');
    await second.api.exited;
  }
}, 90_000);
