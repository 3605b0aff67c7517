import { expectedTileCount, isTileInPyramid, levelCount, levelGeometry, levels, tileBounds } from './index.js';

describe('Deep Zoom pyramid geometry', () => {
  it('has one level for a 1x1 image, and it holds one tile', () => {
    const spec = { width: 1, height: 1, tileSize: 256, overlap: 1 };
    expect(levels(spec)).toEqual([{ level: 0, width: 1, height: 1, cols: 1, rows: 1 }]);
    expect(tileBounds(spec, 0, 0, 0)).toEqual({ x: 0, y: 0, width: 1, height: 1 });
    expect(expectedTileCount(spec)).toBe(1);
  });

  it.each([
    [1, 1, 1],
    [2, 1, 2],
    [3, 3, 3],
    [256, 256, 9],
    [257, 100, 10],
    [1024, 512, 11],
    [20000, 10000, 16],
    [65535, 1, 17],
  ])('%ix%i has %i levels', (w, h, n) => expect(levelCount(w, h)).toBe(n));

  it('halves each level rounding up (a non-square, odd-sized image)', () => {
    const spec = { width: 1000, height: 333, tileSize: 256, overlap: 0 };
    expect(levels(spec).map((l) => [l.width, l.height])).toEqual([
      [1, 1],
      [2, 1],
      [4, 2],
      [8, 3],
      [16, 6],
      [32, 11],
      [63, 21],
      [125, 42],
      [250, 84],
      [500, 167],
      [1000, 333],
    ]);
    expect(levelGeometry(spec, 10)).toEqual({ level: 10, width: 1000, height: 333, cols: 4, rows: 2 });
  });

  it('cuts tiles with overlap on inner edges only, clipping the last row and column', () => {
    const spec = { width: 600, height: 300, tileSize: 256, overlap: 1 };
    const top = levelCount(600, 300) - 1;
    expect(levelGeometry(spec, top)).toMatchObject({ cols: 3, rows: 2 });
    expect(tileBounds(spec, top, 0, 0)).toEqual({ x: 0, y: 0, width: 257, height: 257 });
    expect(tileBounds(spec, top, 1, 0)).toEqual({ x: 255, y: 0, width: 258, height: 257 });
    expect(tileBounds(spec, top, 2, 1)).toEqual({ x: 511, y: 255, width: 89, height: 45 });
  });

  it('matches a known pyramid: 6000x3000, 256 px, overlap 1 (as vips dzsave cuts it)', () => {
    const spec = { width: 6000, height: 3000, tileSize: 256, overlap: 1 };
    const grid = levels(spec).map((l) => `${l.level}:${l.width}x${l.height}:${l.cols}x${l.rows}`);
    expect(grid.slice(-4)).toEqual(['10:750x375:3x2', '11:1500x750:6x3', '12:3000x1500:12x6', '13:6000x3000:24x12']);
    // levels 0-8: one tile each; 9 (375x188): 2; 10: 6; 11: 18; 12: 72; 13: 288
    expect(expectedTileCount(spec)).toBe(9 + 2 + 6 + 18 + 72 + 288);
  });

  it('sizes divisible by the tile size have no sliver tiles', () => {
    const spec = { width: 1024, height: 512, tileSize: 256, overlap: 0 };
    expect(levelGeometry(spec, 10)).toMatchObject({ cols: 4, rows: 2 });
    expect(tileBounds(spec, 10, 3, 1)).toEqual({ x: 768, y: 256, width: 256, height: 256 });
  });

  it('knows which coordinates exist', () => {
    const spec = { width: 600, height: 300, tileSize: 256, overlap: 1 };
    expect(isTileInPyramid(spec, 10, 2, 1)).toBe(true);
    for (const [level, col, row] of [
      [10, 3, 0],
      [10, 0, 2],
      [11, 0, 0],
      [-1, 0, 0],
      [10, -1, 0],
      [1.5, 0, 0],
      [0, 1, 0],
      [Number.MAX_SAFE_INTEGER, 0, 0],
    ]) {
      expect(isTileInPyramid(spec, level, col, row)).toBe(false);
    }
  });

  it('rejects impossible sizes and levels', () => {
    expect(() => levelCount(0, 10)).toThrow(RangeError);
    expect(() => levelGeometry({ width: 10, height: 10, tileSize: 256, overlap: 0 }, 5)).toThrow(RangeError);
  });
});
