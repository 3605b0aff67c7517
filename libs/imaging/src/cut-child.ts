/*
 * An isolated cut (see SharpPyramidTiler): a child process that writes one Deep Zoom tree
 * with libvips, takes the SHA-256 of every tile and exits, giving back everything libvips and the allocator held. Its
 * parent kills it at the deadline and at shutdown; a killed or crashed cut fails its job,
 * whose retry starts over in a fresh scratch directory.
 */
import './sharp-policy.js';
import { rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import sharp, { type Sharp } from 'sharp';
import type { ManifestTile, TileOptions } from '#tiles';
import { digestTreeSync } from './tile-tree.js';

export interface CutRequestMessage {
  /** The original (or its libvips copy), read sequentially. */
  path: string;
  /** Where libvips writes `{name}_files/` and `{name}.dzi`. */
  out: string;
  options: TileOptions;
  /** The size to cut when the layout scales the original first (sphere). */
  size?: { width: number; height: number };
  maxInputPixels: number;
  timeoutSeconds: number;
  jpegOptimiseCoding: boolean;
  threads: number;
}

/** ok: every tile of `{out}_files/` (its path there, size and SHA-256). */
export type CutReplyMessage = { ok: { tiles: ManifestTile[] } } | { error: { message: string } };

function encoder(image: Sharp, request: CutRequestMessage): Sharp {
  const { options } = request;
  switch (options.format) {
    case 'jpeg':
      return image.jpeg({ quality: options.quality, optimiseCoding: request.jpegOptimiseCoding });
    case 'png':
      return image.png({ compressionLevel: 6 });
    case 'webp':
      return image.webp({ quality: options.quality, effort: 2 });
  }
}

async function cut(request: CutRequestMessage): Promise<ManifestTile[]> {
  sharp.concurrency(request.threads);
  let image = sharp(request.path, {
    limitInputPixels: request.maxInputPixels,
    failOn: 'warning',
    sequentialRead: true,
    // Upright, like every rendition and the probed size (EXIF orientation).
    autoOrient: true,
  });
  const { options, size } = request;
  // A sphere layout cuts the image scaled to exactly its grid (see TILE_LAYOUTS).
  if (options.layout === 'sphere' && size) image = image.resize(size.width, size.height, { fit: 'fill' });
  await encoder(image, request)
    .tile({ size: options.tileSize, overlap: options.overlap, layout: 'dz', depth: 'onepixel', container: 'fs' })
    .timeout({ seconds: request.timeoutSeconds })
    .toFile(request.out);
  // The tiles and nothing else; their digests here, where the memory they take goes back at exit.
  const directory = join(dirname(request.out), 'image_files');
  await rm(join(directory, 'vips-properties.xml'), { force: true });
  return digestTreeSync(directory);
}

process.once('message', (request: CutRequestMessage) => {
  void cut(request)
    .then(
      (tiles): CutReplyMessage => ({ ok: { tiles } }),
      (error: unknown): CutReplyMessage => ({
        error: { message: error instanceof Error ? error.message : String(error) },
      }),
    )
    .then((reply) => process.send!(reply, () => process.disconnect()));
});
