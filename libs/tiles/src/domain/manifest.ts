import type { TileFormat } from './tile-options.js';
import { type LevelGeometry, levels, type PyramidSpec } from './pyramid.js';

export interface ManifestTile {
  /** Path below the tile set prefix: `{level}/{col}_{row}.{ext}`. */
  path: string;
  bytes: number;
  sha256: string;
}

/** Written last when a tile set is published: every tile, with its size and checksum. */
export interface TileManifest {
  tileSetId: string;
  width: number;
  height: number;
  tileSize: number;
  overlap: number;
  format: TileFormat;
  levels: LevelGeometry[];
  tileCount: number;
  bytes: number;
  tiles: ManifestTile[];
}

export function buildManifest(
  tileSetId: string,
  spec: PyramidSpec,
  format: TileFormat,
  tiles: ManifestTile[],
): TileManifest {
  const sorted = [...tiles].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return {
    tileSetId,
    ...spec,
    format,
    levels: levels(spec),
    tileCount: sorted.length,
    bytes: sorted.reduce((sum, t) => sum + t.bytes, 0),
    tiles: sorted,
  };
}

/** The Deep Zoom descriptor (DZI XML) of a pyramid. */
export function deepZoomDescriptor(spec: PyramidSpec, format: TileFormat): string {
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<Image xmlns="http://schemas.microsoft.com/deepzoom/2008" Format="${format}" Overlap="${spec.overlap}" TileSize="${spec.tileSize}">`,
    `  <Size Width="${spec.width}" Height="${spec.height}"/>`,
    '</Image>',
    '',
  ].join('\n');
}

export const manifestKey = (tileSetId: string) => `tilesets/${tileSetId}/manifest.json`;
export const tileKey = (tileSetId: string, path: string) => `tilesets/${tileSetId}/${path}`;
