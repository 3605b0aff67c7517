/**
 * npm run bench:renditions — a 320 px WebP thumbnail and a 2048 px JPEG preview of a
 * 200 MP panorama, made the service's way, from the original (shrink-on-load, streamed)
 * and from a ready tile set (the tiles of one small level), each in its own process with
 * RSS sampled from /proc every 20 ms. Prints time and peak memory per case, and the
 * memory of an idle process of the same kind (the floor under every number).
 *
 * Needs `npm run build`. BENCH_WIDTH / BENCH_HEIGHT change the size (default 20000x10000).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { loadConfig } from '#config';
import { SharpPyramidTiler } from '#imaging';
import { DEFAULT_TILE_OPTIONS } from '#tiles';
import { makeBusyJpeg, sampleMemory } from './support.ts';

const WIDTH = Number(process.env.BENCH_WIDTH ?? 20_000);
const HEIGHT = Number(process.env.BENCH_HEIGHT ?? 10_000);

async function measure(child: ChildProcess): Promise<{ peakMiB: number; stdout: string; code: number | null }> {
  const memory = sampleMemory(child.pid!, 20);
  let stdout = '';
  child.stdout?.on('data', (c) => (stdout += c));
  child.stderr?.on('data', (c) => process.stderr.write(c));
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  return { peakMiB: (await memory.stop()) / 1024, stdout, code };
}

const run = async (mode: string, image: string, tiles: string, width: number, format: string) => {
  const result = await measure(
    spawn(process.execPath, ['bench/renditions-run.ts', mode, image, tiles, String(width), format], {
      stdio: ['ignore', 'pipe', 'pipe'],
    }),
  );
  if (result.code !== 0) throw new Error(`${mode} ${width} ${format} failed`);
  const out = JSON.parse(result.stdout.trim().split('\n').at(-1)!) as { ms: number; bytes?: number };
  return { ms: out.ms, bytes: out.bytes ?? 0, peakMiB: result.peakMiB };
};

const work = await mkdtemp(join(tmpdir(), 'tessera-renditions-bench-'));
try {
  const image = join(work, 'source.jpg');
  process.stdout.write(`making a ${WIDTH}x${HEIGHT} JPEG... `);
  await makeBusyJpeg(image, WIDTH, HEIGHT);
  process.stdout.write('cutting its tile set... ');
  const tiler = new SharpPyramidTiler(
    loadConfig({ TILING_WORK_DIR: join(work, 'tiling'), IMAGE_MAX_PIXELS: String(WIDTH * HEIGHT) }),
  );
  const cut = await tiler.cut({ path: image }, DEFAULT_TILE_OPTIONS, () => undefined);
  console.log('done');

  const idle = await run('noop', image, cut.directory, 0, 'jpeg');
  const cases = [
    { name: 'thumb 320 px WebP', width: 320, format: 'webp' },
    { name: 'preview 2048 px JPEG', width: 2048, format: 'jpeg' },
  ];
  console.log(
    `\n${WIDTH}x${HEIGHT} JPEG (${((WIDTH * HEIGHT) / 1e6).toFixed(0)} MP), libvips ${sharp.versions.vips}; an idle process peaks at ${idle.peakMiB.toFixed(0)} MiB`,
  );
  console.log(
    `${'rendition'.padEnd(22)} ${'source'.padEnd(24)} ${'time'.padStart(8)} ${'peak RSS'.padStart(9)} ${'bytes'.padStart(9)}`,
  );
  for (const c of cases) {
    for (const [mode, label] of [
      ['original', 'original (no tile set)'],
      ['pyramid', 'ready tile set'],
    ] as const) {
      const r = await run(mode, image, cut.directory, c.width, c.format);
      console.log(
        `${c.name.padEnd(22)} ${label.padEnd(24)} ${(r.ms / 1000).toFixed(2).padStart(6)} s ${r.peakMiB.toFixed(0).padStart(5)} MiB ${String(r.bytes).padStart(9)}`,
      );
    }
  }
  await cut.dispose();
} finally {
  await rm(work, { recursive: true, force: true });
}
