/**
 * A ready tile pyramid of an image, as what renders from it (renditions, IIIF regions)
 * needs to read it: its geometry and its stored tiles. Tiles implements it; the readers do
 * not depend on tiles.
 */
export interface PyramidLevelView {
  level: number;
  width: number;
  height: number;
  cols: number;
  rows: number;
}

export interface ReadablePyramid {
  width: number;
  height: number;
  tileSize: number;
  overlap: number;
  format: 'jpeg' | 'png' | 'webp';
  /** Encoding quality of lossy tiles (100 for PNG). */
  quality: number;
  /** Level 0 (one pixel) to the full image. */
  levels: PyramidLevelView[];
  /** Where tile (col, row) of `level` lies in that level's image, overlap included. */
  tileBounds(level: number, col: number, row: number): { x: number; y: number; width: number; height: number };
  /** The stored bytes of one tile. */
  readTile(level: number, col: number, row: number): Promise<Buffer>;
}

export abstract class ReadyPyramids {
  /** The best ready pyramid of a panorama (lossless first, then highest quality), or null. */
  abstract bestOf(panoramaId: string): Promise<ReadablePyramid | null>;
}
