import type { TileOptions } from '../../domain/tile-options.js';
import type { TileSet } from '../../domain/tile-set.js';

export abstract class TileSetRepository {
  abstract findById(id: string): Promise<TileSet | null>;
  /** Oldest first. */
  abstract findByPanorama(panoramaId: string): Promise<TileSet[]>;
  abstract findByPanoramas(panoramaIds: string[]): Promise<Map<string, TileSet[]>>;
  abstract findByOptions(panoramaId: string, options: TileOptions): Promise<TileSet | null>;
  /**
   * Inserts a tile set. When one with the same panorama and options exists (a concurrent
   * request won), returns that one instead and `created: false`.
   */
  abstract insertOrGet(tileSet: TileSet): Promise<{ tileSet: TileSet; created: boolean }>;
  /** Up to `limit` ready tile sets picked at random (integrity samples). */
  abstract sampleReady(limit: number): Promise<TileSet[]>;
  /** Tile sets still queued (for re-enqueueing after a crash between commit and enqueue). */
  abstract findQueued(limit: number): Promise<TileSet[]>;
  /*
   * Status changes follow TILE_SET_TRANSITIONS: each is applied only from the statuses it
   * lists, and answers false (changing nothing) when it no longer applies.
   */
  /** `start`: -> processing (a retried job restarts from zero). */
  abstract markProcessing(id: string, at: Date): Promise<boolean>;
  abstract updateProgress(id: string, progress: number, at: Date): Promise<void>;
  /** `finish`: processing -> ready. */
  abstract markReady(
    id: string,
    result: { levels: number; tileCount: number; bytes: number },
    at: Date,
  ): Promise<boolean>;
  /** `fail`: queued|processing -> failed. */
  abstract markFailed(id: string, errorCode: string, at: Date): Promise<boolean>;
  /** `requeue`: ready|failed -> queued, to be cut again (damage was found). */
  abstract requeue(id: string, at: Date): Promise<boolean>;
  /** `condemn`: ready -> failed with `errorCode` (damage was found). */
  abstract condemn(id: string, errorCode: string, at: Date): Promise<boolean>;
  /** Raises the share epoch (revokes every share link made before); false if there is no such tile set. */
  abstract raiseShareEpoch(id: string, at: Date): Promise<boolean>;
  /** Removes the row; false if it was already gone. */
  abstract delete(id: string): Promise<boolean>;
}
