import type { ImageFormat } from '../../domain/image-format.js';

export interface ImageInfo {
  format: ImageFormat;
  /** As displayed: with its EXIF orientation applied (sides swapped for 5-8). */
  width: number;
  height: number;
  /** EXIF orientation 1..8, when present. */
  orientation: number | null;
  progressive: boolean;
  hasAlpha: boolean;
  /** `GPano:ProjectionType` of its XMP (photo spheres say `equirectangular`), when present. */
  xmpProjection: string | null;
}

/**
 * Reads images with explicit limits. `probe` reads the header only: it answers in
 * milliseconds and flat memory even for a file claiming 100000x100000 pixels; it throws
 * InvalidImageError for an unreadable or unsupported header, ImageTooLargeError beyond the
 * limits.
 */
export abstract class ImageProcessor {
  /** `limits` replaces the configured IMAGE_MAX_PIXELS / IMAGE_MAX_SIDE (a smaller one: compress). */
  abstract probe(path: string, limits?: { maxPixels: number; maxSide: number }): Promise<ImageInfo>;
}
