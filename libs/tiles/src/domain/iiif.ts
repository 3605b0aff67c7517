import { TilesError } from './tiles.errors.js';
import { levelGeometry, maxLevel, type PyramidSpec } from './pyramid.js';
import type { TileFormat } from './tile-options.js';

/**
 * IIIF Image API 3.0 (https://iiif.io/api/image/3.0/), pure: parsing an image request's
 * path segments, the geometry of the answer, info.json, and which request a stored tile
 * answers exactly. Compliance level 2, plus mirroring, arbitrary rotation, upscaling,
 * bitonal and WebP.
 */

export const IIIF_QUALITIES = ['default', 'color', 'gray', 'bitonal'] as const;
export type IiifQuality = (typeof IIIF_QUALITIES)[number];
export const IIIF_FORMATS = ['jpg', 'png', 'webp'] as const;
export type IiifFormat = (typeof IIIF_FORMATS)[number];

export const IIIF_CONTEXT = 'http://iiif.io/api/image/3/context.json';
export const IIIF_PROFILE_URI = 'http://iiif.io/api/image/3/level2.json';

export interface IiifLimits {
  /** Most pixels of one answer (its bounding box after rotation). */
  maxArea: number;
  /** Most pixels of either side of one answer (after rotation). */
  maxSide: number;
  /**
   * Most pixels one answer may read from the pyramid. A size that changes the aspect ratio
   * (`full/1,8192`) needs the detail of its more demanding axis over the whole region; this
   * bounds what that costs, before any pixel is read.
   */
  maxReadArea: number;
}

/** The pixels an answer of `maxArea` may need to read: the level read is under twice as detailed per side, plus rounding. */
export const defaultMaxReadArea = (limits: Pick<IiifLimits, 'maxArea' | 'maxSide'>) =>
  4 * limits.maxArea + 8 * limits.maxSide + 4;

export interface IiifRegion {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** A parsed, checked image request: a region of the full image, scaled, turned, encoded. */
export interface IiifImageRequest {
  region: IiifRegion;
  width: number;
  height: number;
  /** Degrees clockwise, [0, 360). */
  rotation: number;
  /** Mirrored (left-right) before rotation. */
  mirror: boolean;
  quality: IiifQuality;
  format: IiifFormat;
}

export class InvalidIiifRequestError extends TilesError {
  readonly code = 'INVALID_IIIF_REQUEST';
  constructor(message: string) {
    super(message);
  }
}

const INT = /^\d{1,9}$/;
const DECIMAL = /^\d{1,9}(\.\d{1,9})?$/;

const bad = (message: string) => new InvalidIiifRequestError(message);

export function parseRegion(value: string, image: { width: number; height: number }): IiifRegion {
  const { width: W, height: H } = image;
  if (value === 'full') return { x: 0, y: 0, width: W, height: H };
  if (value === 'square') {
    const side = Math.min(W, H);
    return { x: Math.floor((W - side) / 2), y: Math.floor((H - side) / 2), width: side, height: side };
  }
  const pct = value.startsWith('pct:');
  const parts = (pct ? value.slice(4) : value).split(',');
  if (parts.length !== 4 || !parts.every((p) => (pct ? DECIMAL : INT).test(p))) {
    throw bad(`region must be full, square, x,y,w,h or pct:x,y,w,h (got "${value}")`);
  }
  const [px, py, pw, ph] = parts.map(Number);
  const [x, y, w, h] = pct
    ? [Math.round((px * W) / 100), Math.round((py * H) / 100), Math.round((pw * W) / 100), Math.round((ph * H) / 100)]
    : [px, py, pw, ph];
  if (w <= 0 || h <= 0) throw bad('region width and height must be greater than zero');
  if (x >= W || y >= H) throw bad(`region lies outside the image (${W}x${H})`);
  return { x, y, width: Math.min(w, W - x), height: Math.min(h, H - y) };
}

/** The bounding box of a width x height image turned by `rotation` degrees (what the answer holds). */
export function rotatedBox(width: number, height: number, rotation: number): { width: number; height: number } {
  if (rotation % 180 === 0) return { width, height };
  if (rotation % 90 === 0) return { width: height, height: width };
  const radians = (rotation * Math.PI) / 180;
  const cos = Math.abs(Math.cos(radians));
  const sin = Math.abs(Math.sin(radians));
  // As libvips sizes a rotated image: rounded up, never less than a pixel.
  return {
    width: Math.max(1, Math.ceil(width * cos + height * sin - 1e-9)),
    height: Math.max(1, Math.ceil(width * sin + height * cos - 1e-9)),
  };
}

export function parseSize(
  value: string,
  region: IiifRegion,
  limits: Pick<IiifLimits, 'maxArea' | 'maxSide'>,
  rotation = 0,
): { width: number; height: number } {
  const upscale = value.startsWith('^');
  const spec = upscale ? value.slice(1) : value;
  const { width: rw, height: rh } = region;
  let size: { width: number; height: number };
  const scaled = (factor: number) => ({
    width: Math.max(1, Math.round(rw * factor)),
    height: Math.max(1, Math.round(rh * factor)),
  });
  const noUpscale = (factor: number) => {
    if (!upscale && factor > 1)
      throw bad(`size ${value} is larger than the region (${rw}x${rh}); prefix it with ^ to upscale`);
  };
  if (spec === 'max') {
    // Fitted so that the answer, turned, stays within the limits (the box grows linearly with the size).
    const box = rotatedBox(rw, rh, rotation);
    const fit = Math.min(
      limits.maxSide / box.width,
      limits.maxSide / box.height,
      Math.sqrt(limits.maxArea / (box.width * box.height)),
    );
    const factor = upscale ? fit : Math.min(1, fit);
    // Rounding must not push the answer over the limits it was fitted to.
    size = { width: Math.max(1, Math.floor(rw * factor)), height: Math.max(1, Math.floor(rh * factor)) };
    if (factor === 1) size = { width: rw, height: rh };
  } else if (spec.startsWith('pct:')) {
    const n = spec.slice(4);
    if (!DECIMAL.test(n) || Number(n) <= 0) throw bad(`size pct:n needs a number greater than zero (got "${value}")`);
    noUpscale(Number(n) / 100);
    size = scaled(Number(n) / 100);
  } else {
    const confined = spec.startsWith('!');
    const parts = (confined ? spec.slice(1) : spec).split(',');
    if (parts.length !== 2 || !parts.every((p) => p === '' || INT.test(p))) {
      throw bad(`size must be max, w,, ,h, pct:n, w,h or !w,h, optionally after ^ (got "${value}")`);
    }
    const [w, h] = parts.map((p) => (p === '' ? undefined : Number(p)));
    if (confined) {
      if (w === undefined || h === undefined) throw bad('size !w,h needs both w and h');
      const factor = Math.min(w / rw, h / rh);
      // A box larger than the region asks for upscaling: refused without ^, as the official
      // validator checks (a larger box with ^ scales up to fit it).
      noUpscale(factor);
      size = scaled(factor);
      size = { width: Math.min(size.width, w), height: Math.min(size.height, h) };
    } else if (w !== undefined && h !== undefined) {
      noUpscale(Math.max(w / rw, h / rh));
      size = { width: w, height: h };
    } else if (w !== undefined) {
      noUpscale(w / rw);
      size = { width: w, height: Math.max(1, Math.round((rh * w) / rw)) };
    } else if (h !== undefined) {
      noUpscale(h / rh);
      size = { width: Math.max(1, Math.round((rw * h) / rh)), height: h };
    } else throw bad('size needs a width, a height or both');
  }
  if (size.width < 1 || size.height < 1) throw bad('the requested size is zero pixels');
  // The size as asked, and the box it fills once turned: both within the limits.
  const box = rotatedBox(size.width, size.height, rotation);
  for (const [what, { width, height }] of [
    ['', size],
    [` turned by ${rotation} degrees`, box],
  ] as const) {
    if (width > limits.maxSide || height > limits.maxSide || width * height > limits.maxArea) {
      throw bad(
        `the requested size ${size.width}x${size.height}${what} needs ${width}x${height} pixels, over this server's ` +
          `limits (maxWidth/maxHeight ${limits.maxSide}, maxArea ${limits.maxArea}); ask for a smaller size or a region`,
      );
    }
  }
  return size;
}

export function parseRotation(value: string): { rotation: number; mirror: boolean } {
  const mirror = value.startsWith('!');
  const n = mirror ? value.slice(1) : value;
  if (!DECIMAL.test(n) || Number(n) > 360)
    throw bad(`rotation must be a number of degrees from 0 to 360, optionally after ! (got "${value}")`);
  return { rotation: Number(n) % 360, mirror };
}

export function parseQualityFormat(value: string): { quality: IiifQuality; format: IiifFormat } {
  const dot = value.lastIndexOf('.');
  const quality = value.slice(0, dot) as IiifQuality;
  const format = value.slice(dot + 1) as IiifFormat;
  if (dot < 0 || !IIIF_QUALITIES.includes(quality)) {
    throw bad(`quality must be one of ${IIIF_QUALITIES.join(', ')} (got "${value}")`);
  }
  if (!IIIF_FORMATS.includes(format)) throw bad(`format must be one of ${IIIF_FORMATS.join(', ')} (got "${value}")`);
  return { quality, format };
}

/** The four path segments of an image request, parsed and checked against the limits. */
export function parseImageRequest(
  segments: { region: string; size: string; rotation: string; qualityFormat: string },
  image: { width: number; height: number },
  limits: IiifLimits,
): IiifImageRequest {
  const region = parseRegion(segments.region, image);
  const rotation = parseRotation(segments.rotation);
  const size = parseSize(segments.size, region, limits, rotation.rotation);
  return {
    region,
    ...size,
    ...rotation,
    ...parseQualityFormat(segments.qualityFormat),
  };
}

/** The canonical form of a parsed request (the single-flight key and the Link header). */
export const canonicalRequest = (r: IiifImageRequest) =>
  `${r.region.x},${r.region.y},${r.region.width},${r.region.height}/${r.width},${r.height}/` +
  `${r.mirror ? '!' : ''}${r.rotation}/${r.quality}.${r.format}`;

export const iiifFormatOfTile = (format: TileFormat): IiifFormat => (format === 'jpeg' ? 'jpg' : format);

/**
 * The stored tile that answers `request` byte for byte, if one does: no rotation, mirroring
 * or quality change, the tile's own format, and a region and size on the pyramid's tile grid
 * at one of its levels (tiles without overlap only: with overlap a stored tile holds more).
 */
export function storedTileFor(
  spec: PyramidSpec,
  tileFormat: TileFormat,
  request: IiifImageRequest,
): { level: number; col: number; row: number } | null {
  if (spec.overlap !== 0 || request.rotation !== 0 || request.mirror) return null;
  if (request.quality !== 'default' && request.quality !== 'color') return null;
  if (request.format !== iiifFormatOfTile(tileFormat)) return null;
  const top = maxLevel(spec);
  const { x, y, width, height } = request.region;
  for (let level = top; level >= 0; level--) {
    const scale = 2 ** (top - level);
    const span = spec.tileSize * scale;
    if (x % span !== 0 || y % span !== 0) continue;
    const col = x / span;
    const row = y / span;
    const geometry = levelGeometry(spec, level);
    if (col >= geometry.cols || row >= geometry.rows) continue;
    const fullWidth = Math.min(span, spec.width - x);
    const fullHeight = Math.min(span, spec.height - y);
    const tileWidth = Math.min(spec.tileSize, geometry.width - col * spec.tileSize);
    const tileHeight = Math.min(spec.tileSize, geometry.height - row * spec.tileSize);
    if (width === fullWidth && height === fullHeight && request.width === tileWidth && request.height === tileHeight) {
      return { level, col, row };
    }
  }
  return null;
}

/** Where in the pyramid an answer is read from: the smallest level at least as detailed as asked. */
export interface RegionRead {
  level: number;
  /** The region in that level's pixels. */
  x: number;
  y: number;
  width: number;
  height: number;
}

/**
 * The level and pixels an answer reads, refused when they are more than `maxReadArea`
 * (before anything is decoded): the level is chosen by the more demanding axis, so a size
 * that squeezes one axis (`full/1,8192` of a long panorama) would read the whole region at
 * full detail.
 */
export function planRegionRead(
  spec: PyramidSpec,
  request: IiifImageRequest,
  limits: Pick<IiifLimits, 'maxReadArea'>,
): RegionRead {
  const read = regionRead(spec, request);
  if (read.width * read.height > limits.maxReadArea) {
    throw bad(
      `the size ${request.width}x${request.height} of a ${request.region.width}x${request.region.height} region would read ` +
        `${read.width}x${read.height} pixels of the pyramid, over this server's limit of ${limits.maxReadArea}; ` +
        'keep the aspect ratio of the region, or ask for a smaller region',
    );
  }
  return read;
}

function regionRead(spec: PyramidSpec, request: IiifImageRequest): RegionRead {
  const top = maxLevel(spec);
  const needed = Math.max(request.width / request.region.width, request.height / request.region.height);
  let level = top;
  while (level > 0 && 2 ** (level - 1 - top) >= needed) level--;
  const scale = 2 ** (top - level);
  const geometry = levelGeometry(spec, level);
  const { x, y, width, height } = request.region;
  const left = Math.floor(x / scale);
  const topEdge = Math.floor(y / scale);
  const right = Math.min(geometry.width, Math.max(left + 1, Math.ceil((x + width) / scale)));
  const bottom = Math.min(geometry.height, Math.max(topEdge + 1, Math.ceil((y + height) / scale)));
  return { level, x: left, y: topEdge, width: right - left, height: bottom - topEdge };
}

/** The tiles of `read.level` whose area (overlap aside) meets the region. */
export function tilesCovering(spec: PyramidSpec, read: RegionRead): { col: number; row: number }[] {
  const first = { col: Math.floor(read.x / spec.tileSize), row: Math.floor(read.y / spec.tileSize) };
  const last = {
    col: Math.floor((read.x + read.width - 1) / spec.tileSize),
    row: Math.floor((read.y + read.height - 1) / spec.tileSize),
  };
  const tiles: { col: number; row: number }[] = [];
  for (let row = first.row; row <= last.row; row++)
    for (let col = first.col; col <= last.col; col++) tiles.push({ col, row });
  return tiles;
}

/** info.json of an image service for a pyramid, its id the base URI the client used. */
export function iiifInfo(id: string, spec: PyramidSpec, limits: IiifLimits) {
  const top = maxLevel(spec);
  const scaleFactors: number[] = [];
  for (let k = 0; k <= top; k++) {
    scaleFactors.push(2 ** k);
    if (Math.ceil(spec.width / 2 ** k) <= spec.tileSize && Math.ceil(spec.height / 2 ** k) <= spec.tileSize) break;
  }
  const sizes = [];
  for (let level = 0; level <= top; level++) {
    const { width, height } = levelGeometry(spec, level);
    if (width <= limits.maxSide && height <= limits.maxSide && width * height <= limits.maxArea) {
      sizes.push({ width, height });
    }
  }
  return {
    '@context': IIIF_CONTEXT,
    id,
    type: 'ImageService3' as const,
    protocol: 'http://iiif.io/api/image' as const,
    profile: 'level2' as const,
    width: spec.width,
    height: spec.height,
    maxWidth: limits.maxSide,
    maxHeight: limits.maxSide,
    maxArea: limits.maxArea,
    tiles: [{ width: spec.tileSize, height: spec.tileSize, scaleFactors }],
    sizes,
    extraFormats: ['webp'],
    extraQualities: ['color', 'gray', 'bitonal'],
    extraFeatures: ['mirroring', 'rotationArbitrary', 'sizeUpscaling', 'canonicalLinkHeader', 'profileLinkHeader'],
  };
}
export type IiifInfo = ReturnType<typeof iiifInfo>;
