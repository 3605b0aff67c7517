/**
 * npm run bench:upload — peak memory of the API while it takes a ~1 GiB upload.
 *
 * Builds a real 18900x18900 uncompressed TIFF (~1.07 GB, just under the 1 GiB default limit)
 * with sharp, starts the built API as its own process on a throwaway database, streams the
 * file to POST /v1/panoramas from disk (never in memory here either), and samples the
 * API process's RSS from /proc while it does. The upload path streams to a temp file, so
 * the peak should stay near the idle footprint whatever the file size. The ingest rate is
 * compared with a plain `cp` of the same file on the same disk.
 *
 * Needs: `npm run build`, PostgreSQL as for the tests, ~3.3 GB free in the temp directory.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import {
  login,
  MiB,
  report,
  rssKiB,
  sampleMemory,
  startBuilt,
  stop,
  throwawayDatabase,
  uploadFile,
  waitForOutput,
} from './support.ts';

const SIDE = Number(process.env.BENCH_SIDE ?? 18_900);
// BENCH_PROFILE=dir: the API's CPU profile for the whole run (open it in Chrome DevTools).
const profile = process.env.BENCH_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE}`] : [];

const work = await mkdtemp(join(tmpdir(), 'tessera-bench-'));
const database = await throwawayDatabase();
let api: ChildProcess | undefined;
try {
  const image = join(work, 'bench.tif');
  process.stdout.write(`making a ${SIDE}x${SIDE} uncompressed TIFF... `);
  await sharp({ create: { width: SIDE, height: SIDE, channels: 3, background: '#3a6ea5' }, limitInputPixels: false })
    .tiff({ compression: 'none' })
    .toFile(image);
  const size = (await stat(image)).size;
  console.log(`${(size / MiB).toFixed(0)} MiB`);

  // The reference: a plain copy of the same file on the same disk.
  await copy(image, join(work, 'warm.tif')); // (and the file is in the page cache for both)
  await rm(join(work, 'warm.tif'));
  const copyStarted = performance.now();
  await copy(image, join(work, 'copy.tif'));
  const copySeconds = (performance.now() - copyStarted) / 1000;
  await rm(join(work, 'copy.tif'));

  const port = 39_000 + Math.floor(Math.random() * 1000);
  // The API alone (no embedded worker, no preset renditions): only the upload is measured.
  api = startBuilt(
    'dist/apps/api/src/main.js',
    {
      NODE_ENV: 'test',
      PORT: String(port),
      HOST: '127.0.0.1',
      DATABASE_URL: database.url,
      STORAGE_LOCAL_ROOT: join(work, 'storage'),
      UPLOAD_TMP_DIR: join(work, 'tmp'),
      ADMIN_PASSWORD: 'bench admin password',
      WORKER_EMBEDDED: 'false',
    },
    profile,
  );
  await waitForOutput(api, 'Tessera API listening');
  const base = `http://127.0.0.1:${port}`;
  const pid = api.pid!;
  const started = await rssKiB(pid);
  const auth = await login(base, 'admin@tessera.local', 'bench admin password');
  // Idle is measured after the login (argon2 takes its memory once) and one small upload,
  // so the growth below is what the big file's bytes cost, not the first request's warm-up.
  const small = join(work, 'small.jpg');
  await sharp({ create: { width: 64, height: 32, channels: 3, background: '#808080' } })
    .jpeg()
    .toFile(small);
  const warmUp = await uploadFile(base, auth, small, (await stat(small)).size, 'image/jpeg', { presets: 'none' });
  if (warmUp.status !== 202) throw new Error(`warm-up upload answered ${warmUp.status}: ${warmUp.body}`);
  const idle = await rssKiB(pid);

  const memory = sampleMemory(pid);
  const uploadStarted = performance.now();
  const response = await uploadFile(base, auth, image, size, 'image/tiff', { presets: 'none' });
  const seconds = (performance.now() - uploadStarted) / 1000;
  const peak = await memory.stop();

  if (response.status !== 202) throw new Error(`upload answered ${response.status}: ${response.body}`);
  const stored = JSON.parse(response.body) as { bytes: number; width: number; height: number };
  const mib = (kib: number) => `${(kib / 1024).toFixed(0)} MiB`;
  console.log(
    `uploaded ${(size / MiB).toFixed(0)} MiB (${stored.width}x${stored.height}, ${stored.bytes} bytes stored) in ${seconds.toFixed(1)} s = ${(size / MiB / seconds).toFixed(0)} MiB/s`,
  );
  console.log(
    `cp of the same file on the same disk: ${copySeconds.toFixed(1)} s = ${(size / MiB / copySeconds).toFixed(0)} MiB/s; upload / cp: ${(copySeconds / seconds).toFixed(2)}x`,
  );
  console.log(
    `API RSS: at start ${mib(started.rss)}, idle after login and a small upload ${mib(idle.rss)}, peak while uploading ${mib(peak)}, growth ${mib(peak - idle.rss)} (${mib(peak - started.rss)} over the start)`,
  );
  report([
    {
      bench: 'upload',
      what: `${(size / MiB).toFixed(0)} MiB upload, API RSS growth`,
      value: mib(peak - idle.rss),
      goal: '<= 64 MiB',
      met: peak - idle.rss <= 64 * 1024,
    },
    {
      bench: 'upload',
      what: 'same, ingest rate',
      value: `${(size / MiB / seconds).toFixed(0)} MiB/s`,
      reference: `cp ${(size / MiB / copySeconds).toFixed(0)} MiB/s`,
      ratio: copySeconds / seconds,
      goal: '>= 0.5x cp',
      met: copySeconds / seconds >= 0.5,
    },
  ]);
} finally {
  await stop(api);
  await database.drop();
  await rm(work, { recursive: true, force: true });
}

function copy(from: string, to: string): Promise<void> {
  return new Promise((resolve, reject) =>
    spawn('cp', [from, to], { stdio: 'inherit' }).on('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`cp exited with ${code}`)),
    ),
  );
}
