import { FrequencySketch, MAX_CACHED_TILE_BYTES, TileBytesCache } from './tile-bytes-cache.js';

const cache = (bytes: number) => new TileBytesCache(bytes);
const tile = (size: number, fill = 1) => Buffer.alloc(size, fill);
/** What the tile route does: the cached bytes, else "read" them and offer them to the cache. */
const serve = (c: TileBytesCache, key: string, size = 100): 'hit' | 'miss' => {
  if (c.get(key)) return 'hit';
  c.set(key, tile(size));
  return 'miss';
};

describe('TileBytesCache', () => {
  it('keeps at most TILE_CACHE_BYTES; when full, a tile asked for more often than the least recent one replaces it', () => {
    const c = cache(300);
    for (const key of ['a', 'b', 'c']) expect(serve(c, key)).toBe('miss'); // room for all three
    expect(serve(c, 'a')).toBe('hit'); // a is now the most recent: b is next out
    expect(serve(c, 'd')).toBe('miss'); // asked for once, like b: not let in
    expect(serve(c, 'd')).toBe('miss'); // twice, once more than b: not yet (a scan does that)
    expect(['a', 'b', 'c', 'd'].map((key) => c.has(key))).toEqual([true, true, true, false]);
    expect(serve(c, 'd')).toBe('miss'); // three times: in, in b's place
    expect(['a', 'b', 'c', 'd'].map((key) => c.has(key))).toEqual([true, false, true, true]);
    expect(c.size).toEqual({ tiles: 3, bytes: 300 });
  });

  it('keeps hitting on a walk over more tiles than it holds (plain LRU hits nothing there)', () => {
    const c = cache(1000); // ten tiles of 100 bytes
    const keys = Array.from({ length: 30 }, (_, i) => `tileset/12/${i}_0.jpeg#${i}`);
    for (const key of keys) serve(c, key);
    const later = [...keys, ...keys].map((key) => serve(c, key));
    // The ten let in first stay (nothing after them is asked for more often): 20 of 60.
    expect(later.filter((r) => r === 'hit')).toHaveLength(20);
    expect(c.size.bytes).toBeLessThanOrEqual(1000);
  });

  it('keeps what it holds when the walk goes on from elsewhere (many clients at other places in one list)', () => {
    const c = cache(1000);
    const keys = Array.from({ length: 30 }, (_, i) => `tileset/12/${i}_0.jpeg#${i}`);
    for (const key of keys) serve(c, key); // holds the first ten
    // From the middle: each newcomer has been asked for once more than the held tile next in line.
    const fromMiddle = [...keys.slice(15), ...keys.slice(0, 15)];
    const later = [...fromMiddle, ...fromMiddle].map((key) => serve(c, key));
    expect(later.filter((r) => r === 'hit')).toHaveLength(20);
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

  it('keeps bytes only when their check passes, and checks only bytes it would keep', () => {
    const c = cache(100);
    const checked: string[] = [];
    const check = (key: string, ok: boolean) => (bytes: Buffer) => (checked.push(key), ok && bytes.length > 0);
    c.set('damaged', tile(50), check('damaged', false));
    c.set('good', tile(100), check('good', true));
    c.set('too big', tile(101), check('too big', true));
    expect(checked).toEqual(['damaged', 'good']);
    expect([c.has('damaged'), c.has('good')]).toEqual([false, true]);
  });

  it('counts a key once when it is set twice', () => {
    const c = cache(1000);
    c.set('a', tile(100));
    c.set('a', tile(100, 2));
    expect(c.size).toEqual({ tiles: 1, bytes: 100 });
  });
});

describe('FrequencySketch', () => {
  it('counts requests per key (at most 15), and halves every count after ten per entry it sizes for', () => {
    const sketch = new FrequencySketch(100); // halves after 1,000 increments
    for (let i = 0; i < 20; i++) sketch.increment('popular');
    for (let i = 0; i < 3; i++) sketch.increment('rare');
    expect(sketch.frequency('popular')).toBe(15);
    expect(sketch.frequency('rare')).toBe(3);
    expect(sketch.frequency('never')).toBe(0);
    for (let i = 0; i < 977; i++) sketch.increment(`other ${i}`); // the 1,000th increment halves
    expect(sketch.frequency('popular')).toBe(7);
    expect(sketch.frequency('rare')).toBe(1);
  });
});
