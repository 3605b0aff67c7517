import { InvalidTileOptionsError } from './tiles.errors.js';

export const TILE_FORMATS = ['jpeg', 'png', 'webp'] as const;
export type TileFormat = (typeof TILE_FORMATS)[number];

export const TILE_CONTENT_TYPES: Record<TileFormat, string> = {
  jpeg: 'image/jpeg',
  png: 'image/png',
  webp: 'image/webp',
};

/**
 * `deepzoom`: the image as it is. `sphere`: for 360° viewers (Photo Sphere Viewer's
 * equirectangular tiles adapter), the image scaled to exactly tileSize x 2^k by half that
 * (k as large as the original allows), without overlap, so that every level is a whole grid
 * of square tiles, twice as many columns as rows.
 */
export const TILE_LAYOUTS = ['deepzoom', 'sphere'] as const;
export type TileLayout = (typeof TILE_LAYOUTS)[number];

export const TILE_SIZE_MIN = 64;
export const TILE_SIZE_MAX = 1024;
export const TILE_OVERLAP_MAX = 8;

/** How a pyramid is cut. Two tile sets of one panorama never share the same options. */
export interface TileOptions {
  tileSize: number;
  format: TileFormat;
  /** 1..100; meaningless for PNG, where it is normalised to 100 so equal options compare equal. */
  quality: number;
  overlap: number;
  layout: TileLayout;
}

export const DEFAULT_TILE_OPTIONS: TileOptions = {
  tileSize: 256,
  format: 'jpeg',
  quality: 85,
  overlap: 0,
  layout: 'deepzoom',
};

/** The tile set a 360° viewer reads (see TILE_LAYOUTS). */
export const SPHERE_TILE_OPTIONS: TileOptions = {
  tileSize: 512,
  format: 'jpeg',
  quality: 85,
  overlap: 0,
  layout: 'sphere',
};

/** The size of the image a layout cuts, from the original's. */
export function layoutSize(
  layout: TileLayout,
  tileSize: number,
  source: { width: number; height: number },
): { width: number; height: number } {
  if (layout === 'deepzoom') return { width: source.width, height: source.height };
  const k = Math.max(1, Math.floor(Math.log2(source.width / tileSize)));
  const width = tileSize * 2 ** k;
  return { width, height: width / 2 };
}

/** Fills defaults, checks ranges (InvalidTileOptionsError), normalises quality for PNG. */
export function normaliseTileOptions(partial: Partial<TileOptions> = {}): TileOptions {
  const options = {
    ...DEFAULT_TILE_OPTIONS,
    ...Object.fromEntries(Object.entries(partial).filter(([, v]) => v !== undefined)),
  };
  const problems: string[] = [];
  if (!Number.isInteger(options.tileSize) || options.tileSize < TILE_SIZE_MIN || options.tileSize > TILE_SIZE_MAX) {
    problems.push(`tileSize must be a whole number from ${TILE_SIZE_MIN} to ${TILE_SIZE_MAX}`);
  }
  if (!TILE_FORMATS.includes(options.format)) problems.push(`format must be one of ${TILE_FORMATS.join(', ')}`);
  if (!Number.isInteger(options.quality) || options.quality < 1 || options.quality > 100)
    problems.push('quality must be a whole number from 1 to 100');
  if (!Number.isInteger(options.overlap) || options.overlap < 0 || options.overlap > TILE_OVERLAP_MAX) {
    problems.push(`overlap must be a whole number from 0 to ${TILE_OVERLAP_MAX}`);
  }
  if (!TILE_LAYOUTS.includes(options.layout)) problems.push(`layout must be one of ${TILE_LAYOUTS.join(', ')}`);
  if (options.layout === 'sphere' && options.overlap !== 0) problems.push('a sphere layout has no overlap (0)');
  if (problems.length > 0) throw new InvalidTileOptionsError(problems);
  return { ...options, quality: options.format === 'png' ? 100 : options.quality };
}

export const sameTileOptions = (a: TileOptions, b: TileOptions): boolean =>
  a.tileSize === b.tileSize &&
  a.format === b.format &&
  a.quality === b.quality &&
  a.overlap === b.overlap &&
  a.layout === b.layout;
