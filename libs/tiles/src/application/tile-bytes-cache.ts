import { LRUCache } from 'lru-cache';

/** Tiles larger than this are streamed, never held (a handful would fill the cache). */
export const MAX_CACHED_TILE_BYTES = 1024 * 1024;

/** A typical tile's size, to size the frequency sketch from TILE_CACHE_BYTES. */
const TYPICAL_TILE_BYTES = 16 * 1024;

/**
 * How often each key was asked for lately, approximately: a count-min sketch (four rows of
 * small counters; a key's count is the least of its four), all halved once the sketch has
 * counted ten times as many requests as the cache holds tiles, so that old popularity
 * fades. This is TinyLFU's admission filter (Einziger, Friedman and Manes, 2017).
 */
export class FrequencySketch {
  private readonly table: Uint8Array;
  private readonly mask: number;
  private readonly sampleSize: number;
  private additions = 0;

  constructor(entries: number) {
    let width = 64;
    while (width < entries * 4) width *= 2;
    this.table = new Uint8Array(width * 4);
    this.mask = width - 1;
    this.sampleSize = Math.max(10 * entries, 100);
  }

  increment(key: string): void {
    const [h1, h2] = hashes(key);
    for (let row = 0; row < 4; row++) {
      const i = this.slot(h1, h2, row);
      if (this.table[i] < 15) this.table[i]++;
    }
    if (++this.additions >= this.sampleSize) {
      for (let i = 0; i < this.table.length; i++) this.table[i] >>= 1;
      this.additions = this.sampleSize / 2;
    }
  }

  frequency(key: string): number {
    const [h1, h2] = hashes(key);
    let least = 15;
    for (let row = 0; row < 4; row++) least = Math.min(least, this.table[this.slot(h1, h2, row)]);
    return least;
  }

  private slot(h1: number, h2: number, row: number): number {
    return row * (this.mask + 1) + ((h1 + Math.imul(row, h2)) & this.mask);
  }
}

/** Two 32-bit hashes of a string (FNV-1a, and the same mixed further), for double hashing. */
function hashes(key: string): [number, number] {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
  let g = Math.imul(h ^ (h >>> 16), 0x45d9f3b);
  g = Math.imul(g ^ (g >>> 16), 0x45d9f3b) ^ (g >>> 16);
  return [h >>> 0, (g | 1) >>> 0];
}

/**
 * Served tiles' bytes, up to `capacity` bytes per process (TILE_CACHE_BYTES). Least recently
 * used first out, with TinyLFU's admission: when the cache is full, a tile comes in only if
 * it has been asked for at least two more times lately than the tile it would push out. Plain LRU kept
 * every miss and so, on a working set larger than the cache (a viewer's walk over thousands
 * of tiles), hit nothing and churned (measured: the 4,160-tile list ran 1.1-1.5x faster with
 * no cache at all than with LRU). Keys carry the tile's SHA-256 from its manifest, so a tile
 * set cut again with other bytes never meets old ones; tiles are immutable otherwise.
 * Serving from memory spares the open/stat/read/close per tile that queue on libuv's four
 * threads under load. 0 keeps nothing.
 */
export class TileBytesCache {
  private readonly entries?: LRUCache<string, Buffer>;
  private readonly sketch?: FrequencySketch;

  constructor(private readonly capacity: number) {
    if (capacity > 0) {
      this.entries = new LRUCache<string, Buffer>({
        maxSize: capacity,
        sizeCalculation: (bytes) => Math.max(1, bytes.length),
      });
      this.sketch = new FrequencySketch(Math.max(64, Math.ceil(capacity / TYPICAL_TILE_BYTES)));
    }
  }

  /** The bytes if held; counts the request either way (for admission). */
  get(key: string): Buffer | undefined {
    this.sketch?.increment(key);
    return this.entries?.get(key);
  }

  /** Whether the bytes are held (not counted as a request, nor made recent). */
  has(key: string): boolean {
    return this.entries?.has(key) ?? false;
  }

  /**
   * Whether these bytes would be kept under this key: not too large, and room for them, or
   * asked for at least two more times lately than the least recently used tile.
   */
  private admits(key: string, bytes: number): boolean {
    if (!this.entries || !this.sketch || bytes > MAX_CACHED_TILE_BYTES || bytes > this.capacity) return false;
    if (this.entries.has(key)) return false;
    if (this.entries.calculatedSize + bytes <= this.capacity) return true;
    const victim = this.entries.rkeys().next();
    // By two or more: in a walk over more tiles than fit (a scan), the newcomer has always been
    // asked for once more than the tile next in line, which a margin of one would let in each time.
    return victim.done === true || this.sketch.frequency(key) > this.sketch.frequency(victim.value) + 1;
  }

  /**
   * Keeps the bytes if admitted and `verify` (called only then: a digest is not computed for
   * bytes that would not be kept) accepts them.
   */
  set(key: string, value: Buffer, verify: (value: Buffer) => boolean = () => true): void {
    if (this.admits(key, value.length) && verify(value)) this.entries!.set(key, value);
  }

  get size(): { tiles: number; bytes: number } {
    return { tiles: this.entries?.size ?? 0, bytes: this.entries?.calculatedSize ?? 0 };
  }
}
