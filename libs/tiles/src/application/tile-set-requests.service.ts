import { Injectable } from '@nestjs/common';
import { Clock, newId } from '#shared-kernel';
import { normaliseTileOptions, type TileOptions } from '../domain/tile-options.js';
import { TileSet } from '../domain/tile-set.js';
import { TileSetRepository } from './ports/tile-set.repository.port.js';
import { TileSetJobs } from './tile-set-derivative.js';

/** The image a tile set is cut from, as its owner stored it (tiles never knows panoramas). */
export interface TileSource {
  panoramaId: string;
  ownerId: string;
  /** Storage key of the original. */
  key: string;
  width: number;
  height: number;
}

/**
 * Tile sets requested for an image, and their cutting jobs: the one place that enqueues
 * them. Used by uploads (a tile set committed with its panorama, then enqueued), requests
 * for more tile sets, the start-up reconciler and repairs.
 */
@Injectable()
export class TileSetRequests {
  constructor(
    private readonly tileSets: TileSetRepository,
    private readonly jobs: TileSetJobs,
    private readonly clock: Clock,
  ) {}

  /** A queued tile set of `source` (not yet stored). Validates and normalises options. */
  build(source: TileSource, options: Partial<TileOptions>): TileSet {
    return TileSet.queue({
      id: newId(),
      panoramaId: source.panoramaId,
      ownerId: source.ownerId,
      sourceKey: source.key,
      sourceWidth: source.width,
      sourceHeight: source.height,
      options: normaliseTileOptions(options),
      now: this.clock.now(),
    });
  }

  /** The tile set with these options: the existing one, or a new one stored and enqueued. */
  async ensure(source: TileSource, options: Partial<TileOptions>): Promise<{ tileSet: TileSet; created: boolean }> {
    const wanted = this.build(source, options);
    const existing = await this.tileSets.findByOptions(source.panoramaId, wanted.options());
    if (existing) return { tileSet: existing, created: false };
    const result = await this.tileSets.insertOrGet(wanted);
    if (result.created) await this.enqueue(result.tileSet.id);
    return result;
  }

  /** Sends the cutting job; a repeat is harmless. */
  enqueue(tileSetId: string): Promise<void> {
    return this.jobs.enqueue(tileSetId);
  }
}
