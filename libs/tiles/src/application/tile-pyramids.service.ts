import { Injectable } from '@nestjs/common';
import { ObjectStorage, type ReadablePyramid, ReadyPyramids } from '#shared-kernel';
import { tileKey } from '../domain/manifest.js';
import { levels, tileBounds, tilePath } from '../domain/pyramid.js';
import type { TileSet } from '../domain/tile-set.js';
import { TileSetRepository } from './ports/tile-set.repository.port.js';
import { ReadyTileSets } from './ready-tile-sets.service.js';

/** ReadyPyramids over the tile sets of a panorama. */
@Injectable()
export class TilePyramids extends ReadyPyramids {
  constructor(
    private readonly tileSets: TileSetRepository,
    private readonly ready: ReadyTileSets,
    private readonly storage: ObjectStorage,
  ) {
    super();
  }

  async bestOf(panoramaId: string): Promise<ReadablePyramid | null> {
    const candidates = (await this.tileSets.findByPanorama(panoramaId))
      // The image as uploaded: a sphere layout is a rescaled copy (see TILE_LAYOUTS).
      .filter((t) => t.status === 'ready' && t.layout === 'deepzoom')
      .sort((a, b) => rank(b) - rank(a));
    for (const tileSet of candidates) {
      // Manifest and all: a ready row whose objects are gone is passed over.
      const found = await this.ready.get(tileSet.id).catch(() => null);
      if (found) return this.view(found.tileSet);
    }
    return null;
  }

  /** A ready tile set as a readable pyramid. */
  view(tileSet: TileSet): ReadablePyramid {
    const spec = tileSet.spec();
    return {
      ...spec,
      format: tileSet.format,
      quality: tileSet.format === 'png' ? 100 : tileSet.quality,
      levels: levels(spec),
      tileBounds: (level, col, row) => tileBounds(spec, level, col, row),
      // Whole, as the tile GET reads it (one read on local storage instead of a stream).
      readTile: (level, col, row) =>
        this.storage.readAll(tileKey(tileSet.id, tilePath(level, col, row, tileSet.format))),
    };
  }
}

/** Lossless first, then by quality. */
const rank = (tileSet: TileSet) => (tileSet.format === 'png' ? 1000 : tileSet.quality);
