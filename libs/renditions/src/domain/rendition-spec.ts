import { InvalidRenditionSpecError } from './renditions.errors.js';

export const RENDITION_FORMATS = ['jpeg', 'png', 'webp', 'avif'] as const;
export type RenditionFormat = (typeof RENDITION_FORMATS)[number];
export const RENDITION_FITS = ['inside', 'cover'] as const;
export type RenditionFit = (typeof RENDITION_FITS)[number];
export const CROP_POSITIONS = [
  'center',
  'top',
  'bottom',
  'left',
  'right',
  'top-left',
  'top-right',
  'bottom-left',
  'bottom-right',
  'entropy',
  'attention',
] as const;
export type CropPosition = (typeof CROP_POSITIONS)[number];

/** Formats an original can be in (the panoramas' ImageFormat, seen from here). */
export type SourceFormat = 'jpeg' | 'png' | 'webp' | 'tiff' | 'bmp' | 'gif' | 'avif';

/** What a client asks for: any of these may be absent. */
export interface RenditionRequest {
  width?: number;
  height?: number;
  fit?: RenditionFit;
  position?: CropPosition;
  format?: RenditionFormat | 'original';
  quality?: number;
  effort?: number;
}

/**
 * A rendition as it will be made: the exact output size, and only what changes the
 * output. Two requests that would make the same pixels in the same encoding normalise to
 * the same spec (and so to the same rendition).
 */
export interface RenditionSpec {
  width: number;
  height: number;
  fit: RenditionFit;
  /** Only for a cover crop that cuts something off. */
  position: CropPosition | null;
  format: RenditionFormat;
  /** Lossy formats only. */
  quality: number | null;
  /** WebP (0-6) and AVIF (0-9) encoder effort. */
  effort: number | null;
}

export const MAX_RENDITION_SIDE = 16_384;
export const DEFAULT_QUALITY: Record<RenditionFormat, number | null> = { jpeg: 82, webp: 80, avif: 50, png: null };
/** AVIF at effort 4 took 4-19 s for a 1600 px image on the development machine; 2, about 0.5 s. */
export const DEFAULT_EFFORT: Record<RenditionFormat, number | null> = { jpeg: null, png: null, webp: 4, avif: 2 };
const MAX_EFFORT: Record<RenditionFormat, number | null> = { jpeg: null, png: null, webp: 6, avif: 9 };

/** TIFF, BMP and GIF are no rendition formats: TIFF's renditions are JPEG, lossless BMP's and GIF's PNG. */
const FORMAT_OF_ORIGINAL: Record<SourceFormat, RenditionFormat> = {
  jpeg: 'jpeg',
  png: 'png',
  webp: 'webp',
  tiff: 'jpeg',
  bmp: 'png',
  gif: 'png',
  avif: 'avif',
};

/**
 * The spec a request makes of an image of `source` size and format. The aspect ratio is
 * always kept; nothing is enlarged (a box larger than the image gives the image's own size,
 * a cover box is scaled down to fit inside it). Throws InvalidRenditionSpecError.
 */
export function normaliseSpec(
  request: RenditionRequest,
  source: { width: number; height: number; format: SourceFormat },
): RenditionSpec {
  const problems: string[] = [];
  const side = (name: 'width' | 'height') => {
    const value = request[name];
    if (value === undefined) return undefined;
    if (!Number.isInteger(value) || value < 1 || value > MAX_RENDITION_SIDE) {
      problems.push(`${name} must be a whole number from 1 to ${MAX_RENDITION_SIDE}`);
    }
    return value;
  };
  const width = side('width');
  const height = side('height');
  if (width === undefined && height === undefined) problems.push('give a width, a height or both');
  const format =
    request.format === undefined || request.format === 'original' ? FORMAT_OF_ORIGINAL[source.format] : request.format;
  const quality = lossy(format) ? (request.quality ?? DEFAULT_QUALITY[format]) : null;
  if (quality !== null && (!Number.isInteger(quality) || quality < 1 || quality > 100)) {
    problems.push('quality must be a whole number from 1 to 100');
  }
  const maxEffort = MAX_EFFORT[format];
  const effort = maxEffort === null ? null : (request.effort ?? DEFAULT_EFFORT[format]);
  if (effort !== null && (!Number.isInteger(effort) || effort < 0 || effort > maxEffort!)) {
    problems.push(`effort must be a whole number from 0 to ${maxEffort} for ${format}`);
  }
  if (problems.length > 0) throw new InvalidRenditionSpecError(problems);

  const fit = request.fit ?? 'inside';
  if (fit === 'cover' && width !== undefined && height !== undefined) {
    // Scaled down (keeping its own aspect) until it fits inside the image.
    const k = Math.min(1, source.width / width, source.height / height);
    const box = { width: Math.max(1, Math.round(width * k)), height: Math.max(1, Math.round(height * k)) };
    const inside = fitInside(source, box.width, box.height);
    // A box with the image's own aspect cuts nothing off: that is an inside rendition.
    if (inside.width === box.width && inside.height === box.height) {
      return { ...box, fit: 'inside', position: null, format, quality, effort };
    }
    return { ...box, fit: 'cover', position: request.position ?? 'center', format, quality, effort };
  }
  return { ...fitInside(source, width, height), fit: 'inside', position: null, format, quality, effort };
}

/** The size of `source` scaled to fit inside the box (a missing side does not bound), never enlarged. */
function fitInside(
  source: { width: number; height: number },
  width: number | undefined,
  height: number | undefined,
): { width: number; height: number } {
  const scale = Math.min(
    1,
    width === undefined ? Infinity : width / source.width,
    height === undefined ? Infinity : height / source.height,
  );
  return {
    width: Math.max(1, Math.round(source.width * scale)),
    height: Math.max(1, Math.round(source.height * scale)),
  };
}

const lossy = (format: RenditionFormat) => format !== 'png';

/** A stable identity of a spec, unique per panorama (same key: same rendition). */
export function specKey(spec: RenditionSpec): string {
  return [
    `${spec.width}x${spec.height}`,
    spec.fit,
    spec.position ?? '-',
    spec.format,
    spec.quality ?? '-',
    spec.effort ?? '-',
  ].join(':');
}

export const FILE_EXTENSIONS: Record<RenditionFormat, string> = { jpeg: 'jpg', png: 'png', webp: 'webp', avif: 'avif' };
export const RENDITION_CONTENT_TYPES: Record<RenditionFormat, string> = {
  jpeg: 'image/jpeg',
  png: 'image/png',
  webp: 'image/webp',
  avif: 'image/avif',
};
