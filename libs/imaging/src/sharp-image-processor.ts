import './sharp-policy.js';
import { Injectable } from '@nestjs/common';
import sharp, { type Metadata } from 'sharp';
import { AppConfig } from '#config';
import {
  IMAGE_FORMAT_NAMES,
  IMAGE_FORMATS,
  type ImageFormat,
  type ImageInfo,
  ImageProcessor,
  ImageTooLargeError,
  InvalidImageError,
} from '#panoramas';
import { BmpError, type BmpHeader, checkBmpData, isBmpFile, readBmpHeader } from './bmp.js';

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
    const bmp = await isBmpFile(path).catch(() => {
      throw new InvalidImageError();
    });
    if (bmp) return probeBmp(path, limits);
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
    const format = toImageFormat(metadata);
    if (!format) throw new InvalidImageError(`The file is not a ${IMAGE_FORMAT_NAMES} image.`);
    // As displayed: an EXIF orientation of 5-8 swaps the sides (everything made from the
    // image is turned upright).
    const { width, height } = metadata.autoOrient ?? metadata;
    if (!width || !height) throw new InvalidImageError();
    checkSize(width, height, limits);
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

function checkSize(width: number, height: number, limits: { maxPixels: number; maxSide: number }): void {
  if (width > limits.maxSide || height > limits.maxSide || width * height > limits.maxPixels) {
    throw new ImageTooLargeError(width, height, { maxPixels: limits.maxPixels, maxSide: limits.maxSide });
  }
}

/** A bitmap's headers and palette, read here (libvips cannot): the size is checked before the data's length. */
async function probeBmp(path: string, limits: { maxPixels: number; maxSide: number }): Promise<ImageInfo> {
  let header: BmpHeader;
  try {
    header = await readBmpHeader(path);
  } catch (error) {
    throw new InvalidImageError(error instanceof BmpError ? `${error.message}.` : undefined);
  }
  checkSize(header.width, header.height, limits);
  try {
    checkBmpData(header);
  } catch (error) {
    throw new InvalidImageError(error instanceof BmpError ? `${error.message}.` : undefined);
  }
  return {
    format: 'bmp',
    width: header.width,
    height: header.height,
    orientation: null,
    progressive: false,
    hasAlpha: header.channels === 4,
    xmpProjection: null,
  };
}

/** libvips' name of the format, as ours: HEIF counts only when AV1-coded (AVIF). */
function toImageFormat({ format, compression }: Metadata): ImageFormat | null {
  if (format === 'heif') return compression === 'av1' ? 'avif' : null;
  return (IMAGE_FORMATS as readonly string[]).includes(format ?? '') ? (format as ImageFormat) : null;
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
