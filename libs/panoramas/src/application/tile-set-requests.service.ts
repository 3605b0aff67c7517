import { Injectable } from '@nestjs/common';
import { Clock, JobQueue, newId } from '#shared-kernel';
import { GENERATE_TILE_SET_JOB, normaliseTileOptions, TileSet, type TileOptions, TileSetRepository } from '#tiles';
import type { Panorama } from '../domain/panorama.js';

/** Tile sets of a panorama, queued for cutting. Shared by upload and tile-set requests. */
@Injectable()
export class TileSetRequests {
  constructor(
    private readonly tileSets: TileSetRepository,
    private readonly queue: JobQueue,
    private readonly clock: Clock,
  ) {}

  /** A queued tile set for `panorama` (not yet stored). Validates and normalises options. */
  build(panorama: Panorama, options: Partial<TileOptions>): TileSet {
    return TileSet.queue({
      id: newId(),
      panoramaId: panorama.id,
      ownerId: panorama.ownerId,
      sourceKey: panorama.originalKey,
      sourceWidth: panorama.width,
      sourceHeight: panorama.height,
      options: normaliseTileOptions(options),
      now: this.clock.now(),
    });
  }

  /** The tile set with these options: the existing one, or a new one stored and enqueued. */
  async ensure(panorama: Panorama, options: Partial<TileOptions>): Promise<{ tileSet: TileSet; created: boolean }> {
    const wanted = this.build(panorama, options);
    const existing = await this.tileSets.findByOptions(panorama.id, wanted.options());
    if (existing) return { tileSet: existing, created: false };
    const result = await this.tileSets.insertOrGet(wanted);
    if (result.created) await this.enqueue(result.tileSet);
    return result;
  }

  /** Sends the cutting job; the singleton key makes a repeat harmless. */
  enqueue(tileSet: TileSet): Promise<unknown> {
    return this.queue.enqueue(GENERATE_TILE_SET_JOB, { tileSetId: tileSet.id }, { singletonKey: tileSet.id });
  }
}
