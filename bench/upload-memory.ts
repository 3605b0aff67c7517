/**
 * npm run bench:upload — peak memory of the API while it takes a ~1 GiB upload.
 *
 * Builds a real 18900x18900 uncompressed TIFF (~1.07 GB, just under the 1 GiB default limit)
 * with sharp, starts the built API as its own process on a throwaway database, streams the
 * file to POST /v1/panoramas from disk (never in memory here either), and samples the
 * API process's RSS from /proc while it does. The upload path streams to a temp file, so
 * the peak should stay near the idle footprint whatever the file size.
 *
 * Needs: `npm run build`, PostgreSQL as for the tests, ~2.2 GB free in the temp directory.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import sharp from 'sharp';

const SIDE = Number(process.env.BENCH_SIDE ?? 18_900);
const serverUrl = new URL(process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres');
const MiB = 1024 * 1024;

async function admin(sql: string): Promise<void> {
  const url = new URL(serverUrl);
  url.pathname = '/postgres';
  const client = new pg.Client({ connectionString: url.toString() });
  await client.connect();
  await client.query(sql);
  await client.end();
}

async function rssKiB(pid: number): Promise<{ rss: number; hwm: number }> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const field = (name: string) =>
    Number(/(\d+) kB/.exec(status.split('\n').find((l) => l.startsWith(name)) ?? '')?.[1] ?? 0);
  return { rss: field('VmRSS:'), hwm: field('VmHWM:') };
}

function waitForOutput(child: ChildProcess, text: string): Promise<void> {
  return new Promise((resolve, reject) => {
    let output = '';
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes(text)) resolve();
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.on('exit', (code) => reject(new Error(`API exited (${code}):\n${output}`)));
  });
}

function streamUpload(
  port: number,
  token: string,
  path: string,
  size: number,
): Promise<{ status: number; body: string }> {
  const boundary = `----bench${randomBytes(8).toString('hex')}`;
  const head = Buffer.from(
    `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="bench.tif"\r\nContent-Type: image/tiff\r\n\r\n`,
  );
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        path: '/v1/panoramas',
        method: 'POST',
        headers: {
          authorization: `Bearer ${token}`,
          'content-type': `multipart/form-data; boundary=${boundary}`,
          'content-length': head.length + size + tail.length,
        },
      },
      (res) => {
        let body = '';
        res.on('data', (c) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on('error', reject);
    req.write(head);
    const file = createReadStream(path, { highWaterMark: MiB });
    file.on('end', () => req.end(tail));
    file.pipe(req, { end: false });
  });
}

const work = await mkdtemp(join(tmpdir(), 'tessera-bench-'));
const database = `tessera_bench_${randomBytes(4).toString('hex')}_test`;
let api: ChildProcess | undefined;
try {
  const image = join(work, 'bench.tif');
  process.stdout.write(`making a ${SIDE}x${SIDE} uncompressed TIFF... `);
  await sharp({ create: { width: SIDE, height: SIDE, channels: 3, background: '#3a6ea5' }, limitInputPixels: false })
    .tiff({ compression: 'none' })
    .toFile(image);
  const size = (await stat(image)).size;
  console.log(`${(size / MiB).toFixed(0)} MiB`);

  await admin(`create database "${database}"`);
  const dbUrl = new URL(serverUrl);
  dbUrl.pathname = `/${database}`;
  const port = 39_000 + Math.floor(Math.random() * 1000);
  api = spawn(process.execPath, ['dist/apps/api/src/main.js'], {
    env: {
      PATH: process.env.PATH,
      NODE_ENV: 'test',
      LOG_LEVEL: 'info',
      PORT: String(port),
      HOST: '127.0.0.1',
      DATABASE_URL: dbUrl.toString(),
      STORAGE_LOCAL_ROOT: join(work, 'storage'),
      UPLOAD_TMP_DIR: join(work, 'tmp'),
      ADMIN_PASSWORD: 'bench admin password',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  await waitForOutput(api, 'Tessera API listening');
  const pid = api.pid!;
  const idle = await rssKiB(pid);

  const login = await fetch(`http://127.0.0.1:${port}/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: 'admin@tessera.local', password: 'bench admin password' }),
  });
  const { accessToken } = (await login.json()) as { accessToken: string };

  let peakSampled = idle.rss;
  const sampler = setInterval(
    () =>
      void rssKiB(pid).then(
        (m) => (peakSampled = Math.max(peakSampled, m.rss)),
        () => undefined,
      ),
    50,
  );
  const started = performance.now();
  const response = await streamUpload(port, accessToken, image, size);
  const seconds = (performance.now() - started) / 1000;
  clearInterval(sampler);
  const after = await rssKiB(pid);

  if (response.status !== 202) throw new Error(`upload answered ${response.status}: ${response.body}`);
  const stored = JSON.parse(response.body) as { bytes: number; width: number; height: number };
  const mib = (kib: number) => `${(kib / 1024).toFixed(0)} MiB`;
  console.log(
    `uploaded ${(size / MiB).toFixed(0)} MiB (${stored.width}x${stored.height}, ${stored.bytes} bytes stored) in ${seconds.toFixed(1)} s = ${(size / MiB / seconds).toFixed(0)} MiB/s`,
  );
  console.log(
    `API RSS: idle ${mib(idle.rss)}, peak while uploading ${mib(Math.max(peakSampled, after.hwm))} (VmHWM ${mib(after.hwm)}), growth ${mib(Math.max(peakSampled, after.hwm) - idle.rss)}`,
  );
  console.log(
    `file size / peak growth: ${(size / 1024 / Math.max(1, Math.max(peakSampled, after.hwm) - idle.rss)).toFixed(0)}x`,
  );
} finally {
  api?.kill('SIGTERM');
  await new Promise((resolve) => setTimeout(resolve, 1500));
  await admin(`drop database if exists "${database}" with (force)`).catch(() => undefined);
  await rm(work, { recursive: true, force: true });
}
