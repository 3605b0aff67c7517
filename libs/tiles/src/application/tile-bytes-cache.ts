import { LRUCache } from 'lru-cache';

/** Tiles larger than this are streamed, never held (a handful would fill the cache). */
export const MAX_CACHED_TILE_BYTES = 1024 * 1024;

/**
 * The most recently served tiles' bytes, up to `capacity` bytes per process (TILE_CACHE_BYTES;
 * least recently used first out). Keys carry the tile's SHA-256 from its manifest, so a tile
 * set cut again with other bytes never meets old ones; tiles are immutable otherwise. Serving
 * from memory spares the open/stat/read/close per tile that queue on libuv's four threads
 * under load. 0 keeps nothing.
 */
export class TileBytesCache {
  private readonly entries?: LRUCache<string, Buffer>;

  constructor(private readonly capacity: number) {
    if (capacity > 0)
      this.entries = new LRUCache<string, Buffer>({
        maxSize: capacity,
        sizeCalculation: (bytes) => Math.max(1, bytes.length),
      });
  }

  get(key: string): Buffer | undefined {
    return this.entries?.get(key);
  }

  /** Whether bytes of this size would be kept (callers skip work for those that would not). */
  accepts(bytes: number): boolean {
    return bytes <= MAX_CACHED_TILE_BYTES && bytes <= this.capacity;
  }

  set(key: string, value: Buffer): void {
    if (!this.accepts(value.length) || !this.entries || this.entries.has(key)) return;
    this.entries.set(key, value);
  }

  get size(): { tiles: number; bytes: number } {
    return { tiles: this.entries?.size ?? 0, bytes: this.entries?.calculatedSize ?? 0 };
  }
}
