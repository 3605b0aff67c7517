/**
 * One rendition made the service's way (prepareRenderInput + renderWithSharp: shrink-on-load
 * from the original, or the tiles of one pyramid level stitched to raw pixels), in its own
 * process so that bench/renditions.ts can measure its time and memory alone. Args: <original|pyramid|noop> <image> <tiles dir>
 * <width> <format>. Prints {ms, bytes, width, height}.
 */
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { prepareRenderInput, renderWithSharp } from '#imaging';
import { normaliseSpec, type RenditionFormat } from '#renditions';
import type { ReadablePyramid } from '#shared-kernel';
import { DEFAULT_TILE_OPTIONS, levels, tileBounds, tilePath } from '#tiles';

const [mode, image, tiles, width, format] = process.argv.slice(2);
if (mode === 'noop') {
  console.log(JSON.stringify({ ms: 0 }));
  process.exit(0);
}
const { width: imageWidth, height: imageHeight } = await sharp(image).metadata();
const geometry = {
  width: imageWidth,
  height: imageHeight,
  tileSize: DEFAULT_TILE_OPTIONS.tileSize,
  overlap: DEFAULT_TILE_OPTIONS.overlap,
};
const pyramid: ReadablePyramid = {
  ...geometry,
  format: 'jpeg',
  quality: DEFAULT_TILE_OPTIONS.quality,
  levels: levels(geometry),
  tileBounds: (level, col, row) => tileBounds(geometry, level, col, row),
  readTile: (level, col, row) => readFile(join(tiles, tilePath(level, col, row, 'jpeg'))),
};
const spec = normaliseSpec(
  { width: Number(width), format: format as RenditionFormat },
  { ...geometry, format: 'jpeg' },
);
const out = join(tiles, '..', `out-${mode}-${width}.${format}`);
const started = performance.now();
const limits = { maxInputPixels: 1e10, timeoutSeconds: 600 };
const { input, scratch } = await prepareRenderInput(
  mode === 'pyramid' ? { pyramid } : { path: image },
  spec,
  out,
  limits,
);
const file = await renderWithSharp(input, spec, out, limits);
await Promise.all(scratch.map((path) => rm(path, { force: true })));
console.log(
  JSON.stringify({ ms: performance.now() - started, bytes: file.bytes, width: spec.width, height: spec.height }),
);
