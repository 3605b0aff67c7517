import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { ObjectNotFoundError, type Reader, type ObjectRead, ObjectStorage } from '#shared-kernel';
import { type ManifestTile, tileKey } from '../../domain/manifest.js';
import { isTileInPyramid, tilePath } from '../../domain/pyramid.js';
import type { TileFormat } from '../../domain/tile-options.js';
import { TileNotFoundError } from '../../domain/tiles.errors.js';
import { type ReadyTileSet, ReadyTileSets } from '../ready-tile-sets.service.js';
import { TileBytesCache } from '../tile-bytes-cache.js';

export interface TileRequest {
  tileSetId: string;
  level: number;
  col: number;
  row: number;
  extension: string;
}

export interface FoundTile {
  tile: ManifestTile;
  format: TileFormat;
  /** Opens the bytes; call only when the client needs them (not for a 304). */
  open(): Promise<ObjectRead>;
  /** The bytes in memory, from the tile cache when there (for tiles up to MAX_CACHED_TILE_BYTES). */
  load(): Promise<Buffer>;
}

/**
 * The hot path: resolves a tile from the cached ready tile set and its manifest, with no
 * database round trip. Coordinates outside the pyramid (or the wrong extension) are
 * TileNotFoundError; a tile the manifest lists but storage lost is TileNotFoundError too.
 */
@Injectable()
export class ReadTileUseCase {
  constructor(
    private readonly ready: ReadyTileSets,
    private readonly storage: ObjectStorage,
    private readonly cache: TileBytesCache,
  ) {}

  async execute(actor: Reader, request: TileRequest): Promise<FoundTile> {
    return this.of(await this.ready.forReader(actor, request.tileSetId), request);
  }

  /** The tile of a ready tile set the reader was already allowed (see ReadyTileSets.forReader). */
  of({ tileSet, tiles }: ReadyTileSet, request: Omit<TileRequest, 'tileSetId'>): FoundTile {
    if (
      request.extension !== tileSet.format ||
      !isTileInPyramid(tileSet.spec(), request.level, request.col, request.row)
    ) {
      throw new TileNotFoundError();
    }
    const path = tilePath(request.level, request.col, request.row, tileSet.format);
    const tile = tiles.get(path);
    if (!tile) throw new TileNotFoundError();
    const lost = (error: unknown): never => {
      if (error instanceof ObjectNotFoundError) throw new TileNotFoundError();
      throw error;
    };
    const open = () => this.storage.get(tileKey(tileSet.id, path)).catch(lost);
    const cacheKey = `${tileSet.id}/${path}#${tile.sha256}`;
    return {
      tile,
      format: tileSet.format,
      open,
      load: async () => {
        const hit = this.cache.get(cacheKey);
        if (hit) return hit;
        const bytes = await this.storage.readAll(tileKey(tileSet.id, path)).catch(lost);
        // Kept only when they are the manifest's bytes: damage is served as found (the
        // integrity check reports it), never remembered past a repair.
        this.cache.set(cacheKey, bytes, (kept) => createHash('sha256').update(kept).digest('hex') === tile.sha256);
        return bytes;
      },
    };
  }
}
