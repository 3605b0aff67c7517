import type { ImageFormat } from '../../domain/image-format.js';

export interface ImageInfo {
  format: ImageFormat;
  width: number;
  height: number;
  /** EXIF orientation 1..8, when present. */
  orientation: number | null;
  progressive: boolean;
  hasAlpha: boolean;
}

/**
 * Reads images with explicit limits. `probe` reads the header only: it answers in
 * milliseconds and flat memory even for a file claiming 100000x100000 pixels; it throws
 * InvalidImageError for an unreadable or unsupported header, ImageTooLargeError beyond the
 * limits.
 */
export abstract class ImageProcessor {
  abstract probe(path: string): Promise<ImageInfo>;
}
