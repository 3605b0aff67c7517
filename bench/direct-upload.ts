/**
 * npm run bench:direct-upload — one file sent through the API (POST /v1/panoramas) against
 * the same size sent straight to the bucket (POST /v1/direct-uploads, the parts PUT to their
 * presigned URLs three at a time, then complete) and resumable through the API (tus: one
 * PATCH of the whole file, as tus-js-client sends it, its parts kept in the bucket), all on
 * STORAGE_DRIVER=s3 with s3rver on loopback. Measured: the wall time of each way, the API process's CPU seconds, and the
 * bytes the client sends through the API.
 *
 * The files are a small JPEG followed by BENCH_MIB MiB of random bytes (cameras append
 * such trailers; the API reads the header only), so the run measures moving bytes, not
 * decoding. On loopback s3rver (Koa and its filesystem, in this process) is the slow part of
 * the direct way; against S3 or MinIO the parts would go faster and in parallel.
 *
 * Needs: `npm run build`, PostgreSQL as for the tests, ~3x BENCH_MIB free in the temp directory.
 */
import { type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdtemp, open, rm, stat } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
// @ts-expect-error s3rver ships no types
import S3rver from 's3rver';
import { addMissingOperations } from '../libs/testing/src/s3rver-operations.ts';
import {
  cpuSeconds,
  login,
  MiB,
  report,
  startBuilt,
  stop,
  throwawayDatabase,
  uploadFile,
  waitForOutput,
} from './support.ts';

const SIZE_MIB = Number(process.env.BENCH_MIB ?? 256);
const PARALLEL_PARTS = 3;

const work = await mkdtemp(join(tmpdir(), 'tessera-bench-direct-'));
const database = await throwawayDatabase();
const s3 = new S3rver({ port: 0, address: '127.0.0.1', silent: true, directory: join(work, 's3') });
// ListParts and AbortMultipartUpload, which s3rver lacks (tus's S3 store asks ListParts on every request).
addMissingOperations(s3);
let api: ChildProcess | undefined;
try {
  const { port: s3Port } = (await s3.run()) as { port: number };
  const picture = await sharp({ create: { width: 1600, height: 800, channels: 3, background: '#3a6ea5' } })
    .jpeg()
    .toBuffer();
  const files = [];
  for (const name of ['through.jpg', 'direct.jpg', 'resumable.jpg']) {
    const path = join(work, name);
    const file = await open(path, 'w');
    await file.write(picture);
    for (let i = 0; i < SIZE_MIB; i++) await file.write(randomBytes(MiB));
    await file.close();
    files.push(path);
  }
  const size = (await stat(files[0])).size;

  const port = 39_000 + Math.floor(Math.random() * 1000);
  api = startBuilt('dist/apps/api/src/main.js', {
    NODE_ENV: 'test',
    PORT: String(port),
    HOST: '127.0.0.1',
    DATABASE_URL: database.url,
    STORAGE_DRIVER: 's3',
    S3_BUCKET: 'tessera-bench',
    S3_ENDPOINT: `http://127.0.0.1:${s3Port}`,
    S3_ACCESS_KEY_ID: 'S3RVER',
    S3_SECRET_ACCESS_KEY: 'S3RVER',
    S3_FORCE_PATH_STYLE: 'true',
    S3_CREATE_BUCKET: 'true',
    UPLOAD_TMP_DIR: join(work, 'tmp'),
    ADMIN_PASSWORD: 'bench admin password',
    WORKER_EMBEDDED: 'false',
    RENDITION_PRESETS: 'none',
  });
  await waitForOutput(api, 'Tessera API listening');
  const base = `http://127.0.0.1:${port}`;
  const pid = api.pid!;
  const auth = await login(base, 'admin@tessera.local', 'bench admin password');

  // Through the API: the multipart body to the API, which stages it and puts it in the bucket.
  let cpu = await cpuSeconds(pid);
  let started = performance.now();
  const through = await uploadFile(base, auth, files[0], size, 'image/jpeg');
  const throughSeconds = (performance.now() - started) / 1000;
  const throughCpu = (await cpuSeconds(pid)) - cpu;
  if (through.status !== 202) throw new Error(`upload answered ${through.status}: ${through.body}`);

  // Straight to the bucket: create, the parts to their URLs, complete.
  const json = { ...auth, 'content-type': 'application/json' };
  cpu = await cpuSeconds(pid);
  started = performance.now();
  const created = await fetch(`${base}/v1/direct-uploads`, {
    method: 'POST',
    headers: json,
    body: JSON.stringify({ filename: 'direct.jpg', bytes: size }),
  });
  if (created.status !== 201) throw new Error(`createDirectUpload answered ${created.status}: ${await created.text()}`);
  const upload = (await created.json()) as {
    id: string;
    partBytes: number;
    parts: { partNumber: number; bytes: number; url: string }[];
  };
  const file = await open(files[1], 'r');
  const pending = [...upload.parts];
  const sent: { partNumber: number; etag: string }[] = [];
  await Promise.all(
    Array.from({ length: PARALLEL_PARTS }, async () => {
      for (let part = pending.shift(); part; part = pending.shift()) {
        const body = Buffer.alloc(part.bytes);
        await file.read(body, 0, part.bytes, (part.partNumber - 1) * upload.partBytes);
        const put = await fetch(part.url, { method: 'PUT', body });
        if (!put.ok) throw new Error(`part ${part.partNumber} answered ${put.status}`);
        sent.push({ partNumber: part.partNumber, etag: put.headers.get('etag')! });
      }
    }),
  );
  await file.close();
  const partsSeconds = (performance.now() - started) / 1000;
  const completing = performance.now();
  const completed = await fetch(`${base}/v1/direct-uploads/${upload.id}/complete`, {
    method: 'POST',
    headers: json,
    body: JSON.stringify({ parts: sent }),
  });
  if (completed.status !== 202) throw new Error(`complete answered ${completed.status}: ${await completed.text()}`);
  const completeSeconds = (performance.now() - completing) / 1000;
  const directSeconds = (performance.now() - started) / 1000;
  const directCpu = (await cpuSeconds(pid)) - cpu;

  // Resumable (tus) through the API, its parts in the bucket: create, then one PATCH of it all.
  cpu = await cpuSeconds(pid);
  started = performance.now();
  const tus = { ...auth, 'tus-resumable': '1.0.0' };
  const opened = await fetch(`${base}/v1/uploads`, {
    method: 'POST',
    headers: { ...tus, 'upload-length': String(size) },
  });
  if (opened.status !== 201) throw new Error(`tus creation answered ${opened.status}: ${await opened.text()}`);
  const patched = await fetch(`${base}${opened.headers.get('location')}`, {
    method: 'PATCH',
    headers: { ...tus, 'upload-offset': '0', 'content-type': 'application/offset+octet-stream' },
    body: Readable.toWeb(createReadStream(files[2])) as ReadableStream,
    duplex: 'half',
  });
  if (patched.status !== 204) throw new Error(`tus PATCH answered ${patched.status}: ${await patched.text()}`);
  const tusSeconds = (performance.now() - started) / 1000;
  const tusCpu = (await cpuSeconds(pid)) - cpu;

  const rate = (seconds: number) => `${(size / MiB / seconds).toFixed(0)} MiB/s`;
  console.log(`${(size / MiB).toFixed(0)} MiB, S3 = s3rver on loopback`);
  console.log(
    `through the API: ${throughSeconds.toFixed(1)} s (${rate(throughSeconds)}), API CPU ${throughCpu.toFixed(1)} s`,
  );
  console.log(
    `straight to the bucket: ${directSeconds.toFixed(1)} s (${upload.parts.length} parts ${partsSeconds.toFixed(1)} s, ` +
      `complete ${completeSeconds.toFixed(1)} s), API CPU ${directCpu.toFixed(1)} s`,
  );
  console.log(
    `resumable (tus), parts in the bucket: ${tusSeconds.toFixed(1)} s (${rate(tusSeconds)}), API CPU ${tusCpu.toFixed(1)} s`,
  );
  report([
    {
      bench: 'direct-upload',
      what: `${(size / MiB).toFixed(0)} MiB straight to the bucket, API CPU`,
      value: `${directCpu.toFixed(1)} s (${directSeconds.toFixed(1)} s in all, complete ${completeSeconds.toFixed(1)} s)`,
      reference: `through the API ${throughCpu.toFixed(1)} s (${throughSeconds.toFixed(1)} s)`,
      ratio: directCpu / throughCpu,
    },
    {
      bench: 'direct-upload',
      what: 'same, bytes the client sends through the API',
      value: '0 (JSON only)',
      reference: `through the API ${(size / MiB).toFixed(0)} MiB`,
    },
    {
      bench: 'direct-upload',
      what: `${(size / MiB).toFixed(0)} MiB resumable (tus), parts in the bucket`,
      value: `${tusSeconds.toFixed(1)} s, API CPU ${tusCpu.toFixed(1)} s`,
      reference: `through the API ${throughSeconds.toFixed(1)} s, CPU ${throughCpu.toFixed(1)} s`,
      ratio: tusSeconds / throughSeconds,
    },
  ]);
} finally {
  await stop(api);
  await s3.close();
  await database.drop();
  await rm(work, { recursive: true, force: true });
}
