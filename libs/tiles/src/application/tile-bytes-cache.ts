import { Injectable } from '@nestjs/common';
import { AppConfig } from '#config';

/** Tiles larger than this are streamed, never held (a handful would fill the cache). */
export const MAX_CACHED_TILE_BYTES = 1024 * 1024;

/**
 * The most recently served tiles' bytes, up to TILE_CACHE_BYTES per process (least recently
 * used first out). Keys carry the tile's SHA-256 from its manifest, so a tile set cut again
 * with other bytes never meets old ones; tiles are immutable otherwise. Serving from memory
 * spares the open/stat/read/close per tile that queue on libuv's four threads under load.
 */
@Injectable()
export class TileBytesCache {
  private readonly entries = new Map<string, Buffer>();
  private bytes = 0;
  private readonly capacity: number;

  constructor(config: AppConfig) {
    this.capacity = config.TILE_CACHE_BYTES;
  }

  get(key: string): Buffer | undefined {
    const hit = this.entries.get(key);
    if (hit) {
      this.entries.delete(key); // to the most recent end
      this.entries.set(key, hit);
    }
    return hit;
  }

  /** Whether bytes of this size would be kept (callers skip work for those that would not). */
  accepts(bytes: number): boolean {
    return bytes <= MAX_CACHED_TILE_BYTES && bytes <= this.capacity;
  }

  set(key: string, value: Buffer): void {
    if (!this.accepts(value.length) || this.entries.has(key)) return;
    this.entries.set(key, value);
    this.bytes += value.length;
    for (const [oldest, buffer] of this.entries) {
      if (this.bytes <= this.capacity) break;
      this.entries.delete(oldest);
      this.bytes -= buffer.length;
    }
  }

  get size(): { tiles: number; bytes: number } {
    return { tiles: this.entries.size, bytes: this.bytes };
  }
}
