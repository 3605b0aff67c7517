import type { Readable } from 'node:stream';
import type { ManifestTile } from '../../domain/manifest.js';
import type { TileOptions } from '../../domain/tile-options.js';

/** The original to cut: a local file read in place, or a stream the tiler saves first. */
export type TilerSource = { path: string } | { stream: Readable };

export interface CutPyramid {
  /** Directory holding `{level}/{col}_{row}.{format}` and nothing else. */
  directory: string;
  /** Every tile with its size and SHA-256. */
  tiles: ManifestTile[];
  /** Removes the scratch space (what publishing did not consume). */
  dispose(): Promise<void>;
}

/**
 * Cuts an image into a Deep Zoom tree in scratch space, reporting tiles written as it goes
 * (at least every second). Throws CorruptImageError when the image cannot be decoded; any
 * other error may be transient and worth a retry.
 */
export abstract class PyramidTiler {
  /** `size`: the image to cut, when the layout scales the original to it first (sphere). */
  abstract cut(
    source: TilerSource,
    options: TileOptions,
    onProgress: (tilesWritten: number) => void,
    size?: { width: number; height: number },
  ): Promise<CutPyramid>;
}
