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
}
