import './sharp-policy.js';
import { Injectable } from '@nestjs/common';
import sharp, { type Metadata } from 'sharp';
import { AppConfig } from '#config';
import {
  IMAGE_FORMATS,
  type ImageFormat,
  type ImageInfo,
  ImageProcessor,
  ImageTooLargeError,
  InvalidImageError,
} from '#panoramas';

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
    this.limits = {
      maxPixels: config.IMAGE_MAX_PIXELS,
      maxSide: config.IMAGE_MAX_SIDE,
      timeoutSeconds: config.IMAGE_PROBE_TIMEOUT_SECONDS,
    };
  }

  async probe(path: string, limits: { maxPixels: number; maxSide: number } = this.limits): Promise<ImageInfo> {
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
    // As displayed: an EXIF orientation of 5-8 swaps the sides (everything made from the
    // image is turned upright).
    const { width, height } = metadata.autoOrient ?? metadata;
    if (!width || !height) throw new InvalidImageError();
    if (width > limits.maxSide || height > limits.maxSide || width * height > limits.maxPixels) {
      throw new ImageTooLargeError(width, height, { maxPixels: limits.maxPixels, maxSide: limits.maxSide });
    }
    return {
      format,
      width,
      height,
      orientation: metadata.orientation ?? null,
      progressive: metadata.isProgressive ?? false,
      hasAlpha: metadata.hasAlpha ?? false,
      xmpProjection: gpanoProjection(metadata.xmp),
    };
  }
}

/** GPano:ProjectionType from an XMP packet, as an attribute or an element. */
export function gpanoProjection(xmp: Buffer | undefined): string | null {
  if (!xmp) return null;
  const match = /GPano:ProjectionType(?:\s*=\s*["']|>)\s*([A-Za-z_-]{1,40})/.exec(xmp.toString('utf8'));
  return match ? match[1].toLowerCase() : null;
}

function toImageFormat(format: string | undefined): ImageFormat | null {
  const normalised = format === 'jpg' ? 'jpeg' : format;
  return (IMAGE_FORMATS as readonly string[]).includes(normalised ?? '') ? (normalised as ImageFormat) : null;
}

async function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      work,
      new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error('timeout')), ms))),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
