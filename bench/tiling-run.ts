/**
 * One run of the service's tiling path, as the worker does it (cut with SharpPyramidTiler,
 * digest every tile, publish into LocalObjectStorage). Spawned by bench/tiling.ts so its
 * memory can be measured on its own. Args: <image> <work dir> [jpeg|png|webp]
 */
import { join } from 'node:path';
import { loadConfig } from '#config';
import { SharpPyramidTiler } from '#imaging';
import { LocalObjectStorage } from '#storage';
import { DEFAULT_TILE_OPTIONS, type TileFormat } from '#tiles';

const [image, work, format = 'jpeg'] = process.argv.slice(2);
const config = loadConfig({ ...process.env, TILING_WORK_DIR: join(work, 'scratch') });
const tiler = new SharpPyramidTiler(config);
const storage = new LocalObjectStorage(join(work, 'storage'));
const started = performance.now();
const cut = await tiler.cut(
  { path: image },
  { ...DEFAULT_TILE_OPTIONS, format: format as TileFormat },
  () => undefined,
);
const cutMs = performance.now() - started;
await storage.publishDirectory('tilesets/bench/', cut.directory);
await cut.dispose();
const totalMs = performance.now() - started;
console.log(
  JSON.stringify({ tiles: cut.tiles.length, bytes: cut.tiles.reduce((s, t) => s + t.bytes, 0), cutMs, totalMs }),
);
