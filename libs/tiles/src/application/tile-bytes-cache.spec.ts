import { MAX_CACHED_TILE_BYTES, TileBytesCache } from './tile-bytes-cache.js';

const cache = (bytes: number) => new TileBytesCache(bytes);
const tile = (size: number, fill = 1) => Buffer.alloc(size, fill);

describe('TileBytesCache', () => {
  it('keeps at most TILE_CACHE_BYTES, dropping the least recently used tiles first', () => {
    const c = cache(300);
    c.set('a', tile(100));
    c.set('b', tile(100));
    c.set('c', tile(100));
    expect(c.get('a')).toBeDefined(); // a is now the most recent: b goes first
    c.set('d', tile(100));
    expect(c.get('b')).toBeUndefined();
    expect([c.get('a'), c.get('c'), c.get('d')].every(Boolean)).toBe(true);
    expect(c.size).toEqual({ tiles: 3, bytes: 300 });
    c.set('e', tile(250));
    expect(c.size.bytes).toBeLessThanOrEqual(300);
    expect(c.get('e')).toEqual(tile(250));
  });

  it('holds nothing with TILE_CACHE_BYTES=0, and never a tile above the size limit', () => {
    const off = cache(0);
    off.set('a', tile(10));
    expect(off.get('a')).toBeUndefined();
    const big = cache(64 * 1024 * 1024);
    big.set('huge', tile(MAX_CACHED_TILE_BYTES + 1));
    expect(big.get('huge')).toBeUndefined();
    expect(big.size).toEqual({ tiles: 0, bytes: 0 });
  });

  it('counts a key once when it is set twice', () => {
    const c = cache(1000);
    c.set('a', tile(100));
    c.set('a', tile(100, 2));
    expect(c.size).toEqual({ tiles: 1, bytes: 100 });
  });
});
