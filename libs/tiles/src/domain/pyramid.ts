/**
 * Deep Zoom pyramid geometry, pure. Level `maxLevel` is the full image; each level below
 * halves it (rounding up) down to level 0, a single pixel. Tiles are `tileSize` squares
 * cut from the top-left, the last row and column smaller; each tile repeats `overlap`
 * pixels of every neighbour it has. This is what DZI viewers (OpenSeadragon) and
 * `vips dzsave` compute.
 */
export interface PyramidSpec {
  width: number;
  height: number;
  tileSize: number;
  overlap: number;
}

export interface LevelGeometry {
  level: number;
  width: number;
  height: number;
  cols: number;
  rows: number;
}

export interface TileBounds {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** Number of levels: ceil(log2(max side)) + 1. A 1x1 image has one level. */
export function levelCount(width: number, height: number): number {
  assertSize(width, height);
  return Math.ceil(Math.log2(Math.max(width, height))) + 1;
}

export function maxLevel(spec: Pick<PyramidSpec, 'width' | 'height'>): number {
  return levelCount(spec.width, spec.height) - 1;
}

/** Size and tile grid of one level. */
export function levelGeometry(spec: PyramidSpec, level: number): LevelGeometry {
  const top = maxLevel(spec);
  if (!Number.isInteger(level) || level < 0 || level > top) throw new RangeError(`level ${level} is outside 0..${top}`);
  const scale = 2 ** (top - level);
  const width = Math.ceil(spec.width / scale);
  const height = Math.ceil(spec.height / scale);
  return { level, width, height, cols: Math.ceil(width / spec.tileSize), rows: Math.ceil(height / spec.tileSize) };
}

export function levels(spec: PyramidSpec): LevelGeometry[] {
  return Array.from({ length: levelCount(spec.width, spec.height) }, (_, level) => levelGeometry(spec, level));
}

/** Where tile (col, row) of a level lies in that level's image, overlap included. */
export function tileBounds(spec: PyramidSpec, level: number, col: number, row: number): TileBounds {
  const geometry = levelGeometry(spec, level);
  if (!isTileInLevel(geometry, col, row)) throw new RangeError(`tile ${col}_${row} is outside level ${level}`);
  const along = (index: number, extent: number) => {
    const start = index === 0 ? 0 : index * spec.tileSize - spec.overlap;
    const end = Math.min(extent, (index + 1) * spec.tileSize + spec.overlap);
    return { start, size: end - start };
  };
  const x = along(col, geometry.width);
  const y = along(row, geometry.height);
  return { x: x.start, y: y.start, width: x.size, height: y.size };
}

export const isTileInLevel = (geometry: LevelGeometry, col: number, row: number) =>
  Number.isInteger(col) && Number.isInteger(row) && col >= 0 && row >= 0 && col < geometry.cols && row < geometry.rows;

/** Whether (level, col, row) names a tile of this pyramid. */
export function isTileInPyramid(spec: PyramidSpec, level: number, col: number, row: number): boolean {
  if (!Number.isInteger(level) || level < 0 || level > maxLevel(spec)) return false;
  return isTileInLevel(levelGeometry(spec, level), col, row);
}

/**
 * The levels a spherical viewer reads from a sphere-layout pyramid (see TILE_LAYOUTS): those
 * at least two tiles wide, each a whole grid of square tiles, two columns per row.
 */
export function sphereLevels(spec: PyramidSpec): LevelGeometry[] {
  return levels(spec).filter((l) => l.cols >= 2 && l.width === l.cols * spec.tileSize && l.cols === 2 * l.rows);
}

/** How many tiles the whole pyramid has. */
export function expectedTileCount(spec: PyramidSpec): number {
  return levels(spec).reduce((sum, l) => sum + l.cols * l.rows, 0);
}

/** Relative path of a tile inside a Deep Zoom `_files` directory. */
export const tilePath = (level: number, col: number, row: number, extension: string) =>
  `${level}/${col}_${row}.${extension}`;

function assertSize(width: number, height: number) {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1)
    throw new RangeError(`invalid image size ${width}x${height}`);
}
