/**
 * npm run bench:tiling — the service's tiling path against `vips dzsave`, same image, one run.
 *
 * Makes a 20000x10000 JPEG that tiles like a busy photo (upscaled noise), then cuts it
 * 256 px / overlap 1 / JPEG Q85 with (a) the service's path (bench/tiling-run.ts: libvips
 * via sharp, SHA-256 of every tile, publish into local storage) and (b) Debian's
 * `vips dzsave` CLI. Each runs in its own process; RSS is sampled from /proc every 50 ms.
 * Prints both times, peak memory and the ratios.
 *
 * Needs: `npm run build`, and `vips` (apt-get install libvips-tools). BENCH_WIDTH /
 * BENCH_HEIGHT change the size; BENCH_THREADS sets IMAGE_THREADS for our run.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';

const WIDTH = Number(process.env.BENCH_WIDTH ?? 20_000);
const HEIGHT = Number(process.env.BENCH_HEIGHT ?? 10_000);

function vipsVersion(): string | null {
  try {
    return execFileSync('vips', ['--version'], { encoding: 'utf8' }).trim();
  } catch {
    return null;
  }
}

async function measure(
  child: ChildProcess,
): Promise<{ ms: number; peakMiB: number; stdout: string; code: number | null }> {
  const started = performance.now();
  let peakKiB = 0;
  let stdout = '';
  child.stdout?.on('data', (c) => (stdout += c));
  child.stderr?.on('data', (c) => process.stderr.write(c));
  const sample = setInterval(() => {
    readFile(`/proc/${child.pid}/status`, 'utf8').then(
      (status) =>
        (peakKiB = Math.max(
          peakKiB,
          Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0),
          Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0),
        )),
      () => undefined,
    );
  }, 50);
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  clearInterval(sample);
  return { ms: performance.now() - started, peakMiB: peakKiB / 1024, stdout, code };
}

const countFiles = async (dir: string) =>
  (await readdir(dir, { recursive: true, withFileTypes: true })).filter((e) => e.isFile()).length;

const vips = vipsVersion();
if (!vips) {
  console.error('`vips` not found: apt-get install libvips-tools (the baseline is its dzsave).');
  process.exit(1);
}
const work = await mkdtemp(join(tmpdir(), 'tessera-tiling-bench-'));
try {
  const image = join(work, 'source.jpg');
  process.stdout.write(`making a ${WIDTH}x${HEIGHT} JPEG... `);
  const small = await sharp({
    create: {
      width: Math.ceil(WIDTH / 4),
      height: Math.ceil(HEIGHT / 4),
      channels: 3,
      background: '#808080',
      noise: { type: 'gaussian', mean: 128, sigma: 50 },
    },
  })
    .png()
    .toBuffer();
  await sharp(small, { limitInputPixels: false })
    .resize(WIDTH, HEIGHT, { kernel: 'nearest' })
    .jpeg({ quality: 90 })
    .toFile(image);
  console.log('done');

  const ours = await measure(
    spawn(process.execPath, ['bench/tiling-run.ts', image, join(work, 'ours')], {
      env: {
        ...process.env,
        IMAGE_THREADS: process.env.BENCH_THREADS ?? '0',
        IMAGE_MAX_PIXELS: String(WIDTH * HEIGHT),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    }),
  );
  if (ours.code !== 0) throw new Error('our tiling run failed');
  const result = JSON.parse(ours.stdout.trim().split('\n').at(-1)!) as { tiles: number; bytes: number; cutMs: number };

  const theirs = await measure(
    spawn(
      'vips',
      ['dzsave', image, join(work, 'vips', 'image'), '--tile-size', '256', '--overlap', '1', '--suffix', '.jpeg[Q=85]'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    ),
  );
  await rm(join(work, 'vips', 'image_files', 'vips-properties.xml'), { force: true });
  const vipsTiles = await countFiles(join(work, 'vips', 'image_files'));

  const row = (name: string, ms: number, mib: number, tiles: number) =>
    `${name.padEnd(34)} ${(ms / 1000).toFixed(2).padStart(7)} s ${mib.toFixed(0).padStart(6)} MiB ${String(tiles).padStart(7)} tiles`;
  console.log(
    `\n${WIDTH}x${HEIGHT}, 256 px tiles, overlap 1, JPEG Q85 (our libvips ${sharp.versions.vips} via sharp ${sharp.versions.sharp}; ${vips})`,
  );
  console.log(row('tessera (cut + SHA-256 + publish)', ours.ms, ours.peakMiB, result.tiles));
  console.log(`${''.padEnd(34)} ${(result.cutMs / 1000).toFixed(2).padStart(7)} s of it cutting`);
  console.log(row('vips dzsave', theirs.ms, theirs.peakMiB, vipsTiles));
  console.log(
    `ratio tessera / vips dzsave: time ${(ours.ms / theirs.ms).toFixed(2)}x, peak memory ${(ours.peakMiB / theirs.peakMiB).toFixed(2)}x`,
  );
} finally {
  await rm(work, { recursive: true, force: true });
}
