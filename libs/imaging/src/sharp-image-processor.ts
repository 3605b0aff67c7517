import './vips-environment.js';
import { Injectable } from '@nestjs/common';
import sharp, { type Metadata } from 'sharp';
import { AppConfig } from '#config';
import { IMAGE_FORMATS, type ImageFormat, type ImageInfo, ImageProcessor, ImageTooLargeError, InvalidImageError } from '#panoramas';

/**
 * Every libvips loader is blocked except JPEG, PNG, WebP and TIFF (file, buffer and stream
 * variants). SVG, PDF, HEIF, GIF, JPEG 2000, raw formats... never reach a decoder.
 */
const ALLOWED_LOADERS = ['Jpeg', 'Png', 'Webp', 'Tiff'].flatMap((f) => ['File', 'Buffer', 'Source'].map((v) => `VipsForeignLoad${f}${v}`));
sharp.block({ operation: ['VipsForeignLoad'] });
sharp.unblock({ operation: ALLOWED_LOADERS });
// A server decodes each image once: libvips' operation cache only holds memory.
sharp.cache(false);

export interface ImageLimits {
  maxPixels: number;
  maxSide: number;
  timeoutSeconds: number;
}

/** sharp is configured here and only here. */
@Injectable()
export class SharpImageProcessor extends ImageProcessor {
  private readonly limits: ImageLimits;

  constructor(config: AppConfig) {
    super();
    this.limits = { maxPixels: config.IMAGE_MAX_PIXELS, maxSide: config.IMAGE_MAX_SIDE, timeoutSeconds: config.IMAGE_PROBE_TIMEOUT_SECONDS };
  }

  async probe(path: string): Promise<ImageInfo> {
    let metadata: Metadata;
    try {
      // Header only: no pixels are decoded here, whatever the header claims.
      metadata = await withTimeout(
        sharp(path, { failOn: 'warning', limitInputPixels: false, pages: 1, sequentialRead: true }).metadata(),
        this.limits.timeoutSeconds * 1000,
      );
    } catch {
      throw new InvalidImageError();
    }
    const format = toImageFormat(metadata.format);
    if (!format) throw new InvalidImageError('The file is not a JPEG, PNG, WebP or TIFF image.');
    const { width, height } = metadata;
    if (!width || !height) throw new InvalidImageError();
    if (width > this.limits.maxSide || height > this.limits.maxSide || width * height > this.limits.maxPixels) {
      throw new ImageTooLargeError(width, height, { maxPixels: this.limits.maxPixels, maxSide: this.limits.maxSide });
    }
    return {
      format,
      width,
      height,
      orientation: metadata.orientation ?? null,
      progressive: metadata.isProgressive ?? false,
      hasAlpha: metadata.hasAlpha ?? false,
    };
  }
}

function toImageFormat(format: string | undefined): ImageFormat | null {
  const normalised = format === 'jpg' ? 'jpeg' : format;
  return (IMAGE_FORMATS as readonly string[]).includes(normalised ?? '') ? (normalised as ImageFormat) : null;
}

async function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([work, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error('timeout')), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}
