/**
 * npm run bench:bmp — what reading a bitmap costs: a BENCH_WIDTH x BENCH_HEIGHT (default
 * 20000 x 10000, 572 MiB) 24-bit bottom-up BMP converted to a libvips file by
 * libs/imaging/src/bmp.ts, timed, with this process's peak RSS; then the same pixels cut
 * into 256 px JPEG tiles by libvips from the converted file, for scale (the conversion's
 * share of a cut). Needs `npm run build`.
 */
import { open, mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { convertBmp } from '#imaging';
import { MiB, sampleMemory } from './support.ts';

const WIDTH = Number(process.env.BENCH_WIDTH ?? 20_000);
const HEIGHT = Number(process.env.BENCH_HEIGHT ?? 10_000);
const work = await mkdtemp(join(tmpdir(), 'tessera-bench-bmp-'));

/** Writes the bitmap a block of rows at a time (never whole in memory): a gradient with stripes. */
async function writeBmp(path: string): Promise<number> {
  const stride = Math.floor((24 * WIDTH + 31) / 32) * 4;
  const header = Buffer.alloc(54);
  header.write('BM', 0, 'latin1');
  header.writeUInt32LE(54 + stride * HEIGHT, 2);
  header.writeUInt32LE(54, 10);
  header.writeUInt32LE(40, 14);
  header.writeInt32LE(WIDTH, 18);
  header.writeInt32LE(HEIGHT, 22);
  header.writeUInt16LE(1, 26);
  header.writeUInt16LE(24, 28);
  const file = await open(path, 'w');
  await file.write(header);
  const rows = 256;
  const block = Buffer.alloc(stride * rows);
  for (let y = 0; y < HEIGHT; y += rows) {
    const count = Math.min(rows, HEIGHT - y);
    for (let r = 0; r < count; r++) {
      for (let x = 0; x < WIDTH; x++) block.set([x & 255, (y + r) & 255, (x >> 4) & 255], r * stride + x * 3);
    }
    await file.write(block, 0, count * stride);
  }
  await file.close();
  return (await stat(path)).size;
}

try {
  const bmp = join(work, 'scan.bmp');
  const bytes = await writeBmp(bmp);
  const memory = sampleMemory(process.pid, 20);
  const before = process.memoryUsage().rss;
  let started = performance.now();
  await convertBmp(bmp, join(work, 'scan.v'));
  const convertSeconds = (performance.now() - started) / 1000;
  const peak = await memory.stop();
  started = performance.now();
  await sharp(join(work, 'scan.v'), { sequentialRead: true, limitInputPixels: false })
    .jpeg({ quality: 85 })
    .tile({ size: 256, overlap: 1, layout: 'dz' })
    .toFile(join(work, 'out.dz'));
  const tileSeconds = (performance.now() - started) / 1000;
  console.log(`${WIDTH}x${HEIGHT} 24-bit BMP, ${(bytes / MiB).toFixed(0)} MiB`);
  console.log(`convert to .v   ${convertSeconds.toFixed(2)} s   ${(bytes / MiB / convertSeconds).toFixed(0)} MiB/s`);
  console.log(
    `peak RSS        ${(peak / 1024).toFixed(0)} MiB, anonymous ${(memory.anonymous() / 1024).toFixed(0)} MiB ` +
      `(${(before / MiB).toFixed(0)} MiB before)`,
  );
  console.log(`tile the .v     ${tileSeconds.toFixed(2)} s (libvips, JPEG 256 px)`);
  console.log(`conversion / cut: ${(convertSeconds / (convertSeconds + tileSeconds)).toFixed(2)} of the total`);
} finally {
  await rm(work, { recursive: true, force: true });
}
