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
  /** Tile sets still queued (for re-enqueueing after a crash between commit and enqueue). */
  abstract findQueued(limit: number): Promise<TileSet[]>;
  /** queued|processing|failed -> processing (a retried job restarts from zero). False if gone or ready. */
  abstract markProcessing(id: string, at: Date): Promise<boolean>;
  abstract updateProgress(id: string, progress: number, at: Date): Promise<void>;
  /** processing -> ready. False when the row is gone or no longer processing (deleted meanwhile). */
  abstract markReady(id: string, result: { levels: number; tileCount: number; bytes: number }, at: Date): Promise<boolean>;
  abstract markFailed(id: string, errorCode: string, at: Date): Promise<void>;
  /** Removes the row; false if it was already gone. */
  abstract delete(id: string): Promise<boolean>;
}
