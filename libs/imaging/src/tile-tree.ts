/** The files of a cut's tile tree: counted (progress) and digested (the manifest). */
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { forEachLimited } from '#shared-kernel';
import type { ManifestTile } from '#tiles';

async function files(directory: string): Promise<string[]> {
  const entries = await readdir(directory, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
}

export async function countFiles(directory: string): Promise<number> {
  return (await files(directory).catch(() => [])).length;
}

/** Size and SHA-256 of every file, paths relative and `/`-separated, `parallelism` read at once. */
export async function digestTree(directory: string, parallelism: number): Promise<ManifestTile[]> {
  const paths = await files(directory);
  const tiles = new Array<ManifestTile>(paths.length);
  // Tiles are small (tens of KiB): one readFile each (open, fstat, read, close) costs less
  // than a stream and a stat (npm run bench:tiling, cut only: "of it in libvips" vs total).
  await forEachLimited(paths, parallelism, async (path, index) => {
    const bytes = await readFile(path);
    tiles[index] = {
      path: relative(directory, path).split(sep).join('/'),
      bytes: bytes.length,
      sha256: createHash('sha256').update(bytes).digest('hex'),
    };
  });
  return tiles;
}
