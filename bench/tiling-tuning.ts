/**
 * npm run bench:tiling-tuning — what the tiling settings cost, on one image in one run:
 * libvips threads (IMAGE_THREADS), Huffman optimisation (TILING_JPEG_OPTIMISE_CODING) and
 * sequential vs random-access reading. 10000x5000 busy JPEG, 256 px / overlap 1 / Q85.
 * Each setting runs twice; the faster run is printed (the machines are shared and noisy).
 */
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';

sharp.cache(false);
const work = await mkdtemp(join(tmpdir(), 'tessera-tuning-'));
const cores = availableParallelism();

async function tileBytes(dir: string): Promise<number> {
  let total = 0;
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (entry.isFile()) total += (await stat(join(entry.parentPath, entry.name))).size;
  }
  return total;
}

try {
  const image = join(work, 'source.jpg');
  const small = await sharp({
    create: {
      width: 2500,
      height: 1250,
      channels: 3,
      background: '#808080',
      noise: { type: 'gaussian', mean: 128, sigma: 50 },
    },
  })
    .png()
    .toBuffer();
  await sharp(small).resize(10_000, 5_000, { kernel: 'nearest' }).jpeg({ quality: 90 }).toFile(image);

  const settings: { name: string; threads: number; optimiseCoding: boolean; sequentialRead: boolean }[] = [
    { name: 'threads 1', threads: 1, optimiseCoding: false, sequentialRead: true },
    { name: `threads ${cores} (= cores, default)`, threads: cores, optimiseCoding: false, sequentialRead: true },
    { name: `threads ${2 * cores} (2 x cores)`, threads: 2 * cores, optimiseCoding: false, sequentialRead: true },
    { name: `threads ${4 * cores} (4 x cores)`, threads: 4 * cores, optimiseCoding: false, sequentialRead: true },
    { name: 'default + Huffman optimisation', threads: cores, optimiseCoding: true, sequentialRead: true },
    { name: 'default, random-access read', threads: cores, optimiseCoding: false, sequentialRead: false },
  ];
  console.log(`10000x5000 JPEG, ${cores} cores, libvips ${sharp.versions.vips}`);
  for (const s of settings) {
    let best = Infinity;
    let bytes = 0;
    for (let run = 0; run < 2; run++) {
      sharp.concurrency(s.threads);
      const out = join(work, `out-${run}`);
      const started = performance.now();
      await sharp(image, { sequentialRead: s.sequentialRead, failOn: 'warning' })
        .jpeg({ quality: 85, optimiseCoding: s.optimiseCoding })
        .tile({ size: 256, overlap: 1, layout: 'dz' })
        .toFile(`${out}.dz`);
      best = Math.min(best, performance.now() - started);
      bytes = await tileBytes(`${out}_files`);
      await rm(`${out}_files`, { recursive: true, force: true });
      await rm(`${out}.dzi`, { force: true });
    }
    console.log(
      `${s.name.padEnd(36)} ${(best / 1000).toFixed(2).padStart(6)} s  ${(bytes / 1024 / 1024).toFixed(1).padStart(6)} MiB of tiles`,
    );
  }
} finally {
  await rm(work, { recursive: true, force: true });
}
