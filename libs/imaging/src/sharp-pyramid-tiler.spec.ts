import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { loadConfig } from '#config';
import { makeJpeg } from '#testing';
import {
  CorruptImageError,
  DEFAULT_TILE_OPTIONS,
  expectedTileCount,
  levels,
  tileBounds,
  type TileOptions,
} from '#tiles';
import { SharpPyramidTiler } from './sharp-pyramid-tiler.js';

/** The tiler against real libvips: its output must be exactly what the pure geometry says. */
let dir: string;
let tiler: SharpPyramidTiler;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tessera-tiler-'));
  tiler = new SharpPyramidTiler(loadConfig({ TILING_WORK_DIR: join(dir, 'work') }));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

async function cut(width: number, height: number, options: Partial<TileOptions>) {
  const source = join(dir, `${width}x${height}.png`);
  await writeFile(
    source,
    await sharp({ create: { width, height, channels: 3, background: '#246' } })
      .png()
      .toBuffer(),
  );
  const progress: number[] = [];
  const result = await tiler.cut({ path: source }, { ...DEFAULT_TILE_OPTIONS, format: 'png', ...options }, (n) =>
    progress.push(n),
  );
  return { result, progress };
}

describe('SharpPyramidTiler (real libvips)', () => {
  it.each([
    [1, 1, 256, 0],
    [3, 2, 256, 1],
    [256, 256, 256, 0],
    [257, 100, 256, 1],
    [1000, 333, 254, 1],
    [1500, 700, 128, 8],
    [640, 2000, 1024, 2],
    [3000, 1000, 64, 0],
  ])(
    '%ix%i, tile %i, overlap %i: the tiles libvips writes are the tiles the geometry expects',
    async (width, height, tileSize, overlap) => {
      const spec = { width, height, tileSize, overlap };
      const { result, progress } = await cut(width, height, { tileSize, overlap });
      try {
        expect(result.tiles.length).toBe(expectedTileCount(spec));
        const expectedPaths = levels(spec).flatMap((l) =>
          Array.from({ length: l.cols * l.rows }, (_, i) => `${l.level}/${i % l.cols}_${Math.floor(i / l.cols)}.png`),
        );
        expect(result.tiles.map((t) => t.path).sort()).toEqual(expectedPaths.sort());
        // Every tile's pixel size is what tileBounds promises (a few sampled per level).
        for (const level of levels(spec)) {
          for (const [col, row] of [
            [0, 0],
            [level.cols - 1, level.rows - 1],
          ] as const) {
            const meta = await sharp(join(result.directory, `${level.level}/${col}_${row}.png`)).metadata();
            const bounds = tileBounds(spec, level.level, col, row);
            expect([level.level, col, row, meta.width, meta.height]).toEqual([
              level.level,
              col,
              row,
              bounds.width,
              bounds.height,
            ]);
          }
        }
        // Each tile's size and SHA-256 are those of its file.
        for (const tile of result.tiles) {
          const bytes = await readFile(join(result.directory, tile.path));
          expect([tile.path, tile.bytes, tile.sha256]).toEqual([
            tile.path,
            bytes.length,
            createHash('sha256').update(bytes).digest('hex'),
          ]);
        }
        expect(progress.at(-1)).toBe(result.tiles.length);
      } finally {
        await result.dispose();
      }
    },
  );

  it('strips metadata from tiles (no EXIF, no GPS)', async () => {
    const source = join(dir, 'exif.jpg');
    await writeFile(
      source,
      await sharp(await makeJpeg(300, 200))
        .withExif({ IFD0: { Copyright: 'someone' }, IFD3: { GPSLatitudeRef: 'N' } })
        .jpeg()
        .toBuffer(),
    );
    const { directory, dispose } = await tiler.cut({ path: source }, DEFAULT_TILE_OPTIONS, () => undefined);
    try {
      const meta = await sharp(join(directory, '9/0_0.jpeg')).metadata();
      expect(meta.exif).toBeUndefined();
      expect(meta.xmp).toBeUndefined();
    } finally {
      await dispose();
    }
  });

  it('calls a truncated image corrupt, and leaves no scratch behind', async () => {
    const jpeg = await makeJpeg(2000, 1000);
    const source = join(dir, 'cut.jpg');
    await writeFile(source, jpeg.subarray(0, jpeg.length / 2));
    await expect(tiler.cut({ path: source }, DEFAULT_TILE_OPTIONS, () => undefined)).rejects.toBeInstanceOf(
      CorruptImageError,
    );
    const { readdir } = await import('node:fs/promises');
    expect(await readdir(join(dir, 'work'))).toEqual([]);
  });

  it("fails a cut whose process is killed (kill -9) as the machine's fault, with no scratch left; the retry starts over", async () => {
    const source = join(dir, 'killed.jpg');
    await writeFile(source, await makeJpeg(1200, 600));
    const { readdir } = await import('node:fs/promises');
    tiler.onCutStarted = (pid) => process.kill(pid!, 'SIGKILL');
    try {
      const killed = tiler.cut({ path: source }, DEFAULT_TILE_OPTIONS, () => undefined);
      await expect(killed).rejects.toThrow(/the cut stopped \(SIGKILL\) before it finished/);
      await expect(killed).rejects.not.toBeInstanceOf(CorruptImageError); // transient: the job retries
    } finally {
      tiler.onCutStarted = undefined;
    }
    expect(await readdir(join(dir, 'work'))).toEqual([]);
    const retried = await tiler.cut({ path: source }, DEFAULT_TILE_OPTIONS, () => undefined);
    try {
      expect(retried.tiles).toHaveLength(expectedTileCount({ width: 1200, height: 600, tileSize: 256, overlap: 0 }));
    } finally {
      await retried.dispose();
    }
  });

  it('stops the cuts under way at shutdown (their jobs are retried elsewhere)', async () => {
    const source = join(dir, 'shutdown.jpg');
    await writeFile(source, await makeJpeg(1200, 600));
    const stopping = new SharpPyramidTiler(loadConfig({ TILING_WORK_DIR: join(dir, 'work') }));
    stopping.onCutStarted = () => stopping.onApplicationShutdown();
    await expect(stopping.cut({ path: source }, DEFAULT_TILE_OPTIONS, () => undefined)).rejects.toThrow(
      'the cut was stopped (shutdown)',
    );
  });
});
