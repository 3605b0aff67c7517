import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeJpeg, makeNoisyJpeg, startS3Server, type TestS3Server } from '#testing';
import { createTestDatabase, type TestDatabase } from '#testing';
import { expectProblem } from './support/api-harness.js';
import { API, assertBuilt, listeningPort, run, type Run, waitFor } from './support/processes.js';

/**
 * A full disk, for real: the built API runs in a mount namespace of its own (`unshare`, no
 * privileges needed beyond user namespaces) where its data directory is a 3 MiB tmpfs.
 * Uploads (multipart and tus) and compressions larger than what is left get 507
 * STORAGE_FULL, counted in a metric, with nothing left behind; the service goes on.
 */
beforeAll(assertBuilt);

const FULL_MIB = 3;
const METRICS_TOKEN = 'metrics-token-for-the-full-disk-test';
let db: TestDatabase;
let outside: string;
let api: Run;
let pid: number;
let baseUrl: string;
let token: string;
/** The data directory as the API sees it (inside its mount namespace). */
let dataDir: string;

function startInNamespace(env: Record<string, string>): Run {
  // The tmpfs is mounted first, then TMPDIR (when it is inside) is made on it.
  const script = `mkdir -p "$DATA" && mount -t tmpfs -o size=${FULL_MIB}m tmpfs "$DATA" && mkdir -p "\${TMPDIR:-/tmp}" && exec "$NODE" "$API"`;
  return run(
    API,
    { NODE: process.execPath, API, ...env },
    {
      command: ['unshare', '--user', '--map-root-user', '--mount', 'sh', '-c', script],
    },
  );
}

interface FullApi {
  api: Run;
  /** The node process inside the namespace (the sh exec'd into it). */
  pid: number;
  baseUrl: string;
  /** A signed-in user's access token. */
  token: string;
}

/** The built API on a fresh database, its data directory `data` a 3 MiB tmpfs; a user signed in. */
async function startFullApi(db: TestDatabase, data: string, env: Record<string, string> = {}): Promise<FullApi> {
  const api = startInNamespace({
    DATA: data,
    DATABASE_URL: db.url,
    PORT: '0',
    HOST: '127.0.0.1',
    STORAGE_LOCAL_ROOT: join(data, 'storage'),
    UPLOAD_TMP_DIR: join(data, 'tmp'),
    UPLOAD_RESUMABLE_DIR: join(data, 'resumable'),
    TILING_WORK_DIR: join(data, 'tiling'),
    WORKER_EMBEDDED: 'false',
    RENDITION_PRESETS: 'none',
    JWT_SECRET: 'disk-full-test-secret'.padEnd(48, 'x'),
    ADMIN_EMAIL: 'admin@tessera.test',
    ADMIN_PASSWORD: 'admin password for tests',
    METRICS_TOKEN,
    ...(process.env.DEBUG_DISK_FULL ? { LOG_LEVEL: 'debug' } : {}),
    ...env,
  });
  await waitFor(api, /listening on/);
  const baseUrl = `http://127.0.0.1:${listeningPort(api)}`;
  const email = `full-${Date.now()}@example.com`;
  const password = 'user password 123';
  await fetch(`${baseUrl}/v1/auth/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password }),
  });
  const login = await fetch(`${baseUrl}/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password }),
  });
  const token = ((await login.json()) as { accessToken: string }).accessToken;
  return { api, pid: api.child.pid!, baseUrl, token };
}

async function stopFullApi(full: FullApi | undefined): Promise<void> {
  if (process.env.DEBUG_DISK_FULL) console.log(full?.api.output());
  if (full && full.api.child.exitCode === null) {
    full.api.child.kill('SIGTERM');
    await full.api.exited;
  }
}

/** What the API's directory holds, read through its own root (/proc/PID/root sees its mounts). */
const inside = (path: string, of = pid) =>
  readdir(join(`/proc/${of}/root`, path)).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return [] as string[];
    throw error;
  });

/**
 * Whether this machine lets us make a mount namespace (root, or unprivileged user namespaces:
 * Debian's default; some distributions forbid them). Where it cannot, the suite says so and
 * is skipped rather than faking a full disk.
 */
const canUnshare = (() => {
  try {
    execFileSync('unshare', ['--user', '--map-root-user', '--mount', 'true'], { stdio: 'ignore' });
    return true;
  } catch {
    console.warn('disk-full: `unshare --user --mount` is not allowed here; the full-disk suite is skipped');
    return false;
  }
})();
const suite = canUnshare ? describe : describe.skip;

beforeAll(async () => {
  if (!canUnshare) return;
  db = await createTestDatabase('tessera_full');
  outside = await mkdtemp(join(tmpdir(), 'tessera-full-'));
  dataDir = join(outside, 'data');
  await mkdir(dataDir);
  ({ api, pid, baseUrl, token } = await startFullApi(db, dataDir));
}, 120_000);

afterAll(async () => {
  await stopFullApi(api && { api, pid, baseUrl, token });
  await db?.drop();
  if (outside) await rm(outside, { recursive: true, force: true });
});

const asProblem = async (response: Response) => ({
  status: response.status,
  headers: response.headers,
  body: await response.json(),
});

function form(image: Buffer, fields: Record<string, string> = {}) {
  const body = new FormData();
  for (const [name, value] of Object.entries(fields)) body.append(name, value);
  body.append('file', new Blob([new Uint8Array(image)], { type: 'image/jpeg' }), 'big.jpg');
  return body;
}

suite('a 3 MiB disk', () => {
  it('runs where the disk really is small (the test is about a full disk, not a mocked one)', () => {
    const df = execFileSync('cat', [`/proc/${pid}/mounts`], { encoding: 'utf8' });
    expect(df).toContain(`tmpfs ${dataDir} tmpfs`);
  });

  describe('a disk too full for the request', () => {
    let big: Buffer;
    beforeAll(async () => {
      big = await makeNoisyJpeg(3500, 2200, 97); // several MiB, more than the disk holds
      expect(big.length).toBeGreaterThan(FULL_MIB * 1024 * 1024);
    });

    it('answers a multipart upload 507 STORAGE_FULL and keeps nothing of it', async () => {
      const response = await fetch(`${baseUrl}/v1/panoramas`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}` },
        body: form(big, { presets: 'none' }),
      });
      expectProblem(await asProblem(response), 507, 'STORAGE_FULL');
      expect(await inside(join(dataDir, 'tmp'))).toEqual([]);
    });

    it('answers a tus PATCH 507 STORAGE_FULL', async () => {
      const created = await fetch(`${baseUrl}/v1/uploads`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'tus-resumable': '1.0.0', 'upload-length': String(big.length) },
      });
      expect(created.status).toBe(201);
      const url = created.headers.get('location')!;
      const patched = await fetch(`${baseUrl}${url}`, {
        method: 'PATCH',
        headers: {
          authorization: `Bearer ${token}`,
          'tus-resumable': '1.0.0',
          'upload-offset': '0',
          'content-type': 'application/offset+octet-stream',
        },
        body: new Uint8Array(big),
      });
      expectProblem(await asProblem(patched), 507, 'STORAGE_FULL');
      // The client gives up: nothing of it stays.
      await fetch(`${baseUrl}${url}`, {
        method: 'DELETE',
        headers: { authorization: `Bearer ${token}`, 'tus-resumable': '1.0.0' },
      });
      expect(await inside(join(dataDir, 'resumable'))).toEqual([]);
    });

    it('answers a compression 507 STORAGE_FULL and keeps nothing of it', async () => {
      const response = await fetch(`${baseUrl}/v1/images/compress`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}` },
        body: form(big, { width: '100' }),
      });
      expectProblem(await asProblem(response), 507, 'STORAGE_FULL');
      expect(await inside(join(dataDir, 'tmp'))).toEqual([]);
    });

    it('counts each in a metric, logs no error, and takes what fits afterwards', async () => {
      const metrics = await (
        await fetch(`${baseUrl}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } })
      ).text();
      const counted = [...metrics.matchAll(/^tessera_disk_full_total\{operation="([^"]+)"\} (\d+)/gm)];
      expect(Object.fromEntries(counted.map(([, operation, n]) => [operation, Number(n)]))).toEqual({
        uploadPanorama: 1,
        tus_patch: 1,
        compressImage: 1,
      });
      expect(api.output()).not.toMatch(/"level":50/); // no error-level line
      const small = await fetch(`${baseUrl}/v1/panoramas`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}` },
        body: form(await makeJpeg(400, 200), { presets: 'none' }),
      });
      expect(small.status).toBe(202);
    });
  });
});

/**
 * With STORAGE_DRIVER=s3, tus keeps an upload in the bucket but writes each part to the API's
 * temp directory (TMPDIR) before sending it (@tus/s3-store). Here that directory is on the
 * 3 MiB tmpfs and a part is 5 MiB: the PATCH is 507, nothing of it stays on the disk or in the
 * bucket, and an upload that fits still lands.
 */
suite('tus on S3, its temp directory full', () => {
  const bucket = 'full-tus';
  let s3: TestS3Server;
  let s3Db: TestDatabase;
  let full: FullApi;
  const tmp = () => join(dataDir, 's3', 'tmp');
  const tus = (headers: Record<string, string> = {}) => ({
    authorization: `Bearer ${full.token}`,
    'tus-resumable': '1.0.0',
    ...headers,
  });
  const patch = (url: string, offset: number, bytes: Buffer) =>
    fetch(`${full.baseUrl}${url}`, {
      method: 'PATCH',
      headers: tus({ 'upload-offset': String(offset), 'content-type': 'application/offset+octet-stream' }),
      body: new Uint8Array(bytes),
    });
  const create = async (length: number) => {
    const created = await fetch(`${full.baseUrl}/v1/uploads`, {
      method: 'POST',
      headers: tus({ 'upload-length': String(length) }),
    });
    expect(created.status).toBe(201);
    return created.headers.get('location')!;
  };

  beforeAll(async () => {
    s3 = await startS3Server();
    s3Db = await createTestDatabase('tessera_full_s3');
    full = await startFullApi(s3Db, join(dataDir, 's3'), { ...s3.env(bucket), TMPDIR: tmp() });
  }, 120_000);

  afterAll(async () => {
    await stopFullApi(full);
    await s3Db?.drop();
    await s3?.dispose();
  });

  it('answers a PATCH whose part does not fit 507 STORAGE_FULL, keeping no byte of it anywhere', async () => {
    const big = await makeNoisyJpeg(3500, 2200, 97);
    expect(big.length).toBeGreaterThan(FULL_MIB * 1024 * 1024);
    const url = await create(big.length);
    expectProblem(await asProblem(await patch(url, 0, big)), 507, 'STORAGE_FULL');
    // No part file left in the temp directory, and the upload still at offset 0 (not half-written).
    expect(await inside(tmp(), full.pid)).toEqual([]);
    const head = await fetch(`${full.baseUrl}${url}`, { method: 'HEAD', headers: tus() });
    expect(head.status).toBe(200);
    expect(head.headers.get('upload-offset')).toBe('0');
    // The client gives up: the bucket keeps nothing of it.
    const deleted = await fetch(`${full.baseUrl}${url}`, { method: 'DELETE', headers: tus() });
    expect(deleted.status).toBe(204);
    expect(await s3.pendingMultipartUploads(bucket)).toBe(0);
    const metrics = await (
      await fetch(`${full.baseUrl}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } })
    ).text();
    expect(metrics).toMatch(/^tessera_disk_full_total\{operation="tus_patch"\} 1$/m);
  });

  it('takes an upload that fits afterwards, in two PATCHes', async () => {
    const small = await makeJpeg(400, 200);
    const url = await create(small.length);
    const half = Math.floor(small.length / 2);
    expect((await patch(url, 0, small.subarray(0, half))).status).toBe(204);
    const done = await patch(url, half, small.subarray(half));
    expect(done.status).toBe(204);
    expect(done.headers.get('tessera-panorama-id')).toMatch(/^[0-9a-f-]{36}$/);
    expect(await inside(tmp(), full.pid)).toEqual([]);
  });
});
