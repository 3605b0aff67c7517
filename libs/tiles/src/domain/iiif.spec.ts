import {
  iiifInfo,
  InvalidIiifRequestError,
  parseImageRequest,
  parseRegion,
  parseSize,
  planRegionRead,
  rotatedBox,
  storedTileFor,
  tilesCovering,
} from './iiif.js';

const image = { width: 1000, height: 600 };
const limits = { maxArea: 4_000_000, maxSide: 3000, maxReadArea: 16_100_000 };
const spec = { ...image, tileSize: 256, overlap: 0 };
const request = (region: string, size: string, rotation = '0', qf = 'default.jpg') =>
  parseImageRequest({ region, size, rotation, qualityFormat: qf }, image, limits);

describe('IIIF regions', () => {
  it.each([
    ['full', { x: 0, y: 0, width: 1000, height: 600 }],
    ['square', { x: 200, y: 0, width: 600, height: 600 }],
    ['10,20,30,40', { x: 10, y: 20, width: 30, height: 40 }],
    ['900,500,500,500', { x: 900, y: 500, width: 100, height: 100 }], // cut to the image
    ['pct:10,50,20,50', { x: 100, y: 300, width: 200, height: 300 }],
  ])('%s', (value, expected) => expect(parseRegion(value, image)).toEqual(expected));

  it.each(['0,0,0,10', '1000,0,10,10', '0,600,10,10', '1,2,3', 'a,b,c,d', '-1,0,10,10', 'pct:', 'pct:1,2,3,x', ''])(
    'refuses %j',
    (value) => expect(() => parseRegion(value, image)).toThrow(InvalidIiifRequestError),
  );
});

describe('IIIF sizes', () => {
  const region = { x: 0, y: 0, width: 1000, height: 600 };
  it.each([
    ['max', { width: 1000, height: 600 }],
    ['500,', { width: 500, height: 300 }],
    [',300', { width: 500, height: 300 }],
    ['pct:50', { width: 500, height: 300 }],
    ['200,200', { width: 200, height: 200 }],
    ['!200,200', { width: 200, height: 120 }],
    ['^2000,', { width: 2000, height: 1200 }],
    ['^max', { width: 2581, height: 1549 }], // fitted to maxArea
  ])('%s', (value, expected) => expect(parseSize(value, region, limits)).toEqual(expected));

  it.each([
    '2000,',
    ',700',
    '!2000,3000',
    'pct:101',
    '1001,600',
    '^3001,',
    '^pct:400',
    '0,',
    'pct:0',
    '!100,',
    'x',
    ',',
  ])('refuses %j (upscaling without ^, over the limits, malformed)', (value) =>
    expect(() => parseSize(value, region, limits)).toThrow(InvalidIiifRequestError),
  );
});

describe('IIIF rotation, quality and format', () => {
  it('parses mirroring and degrees', () => {
    expect(request('full', 'max', '!90')).toMatchObject({ rotation: 90, mirror: true });
    expect(request('full', 'max', '22.5')).toMatchObject({ rotation: 22.5, mirror: false });
    expect(request('full', 'max', '360')).toMatchObject({ rotation: 0 });
  });
  it.each([
    ['-90', 'default.jpg'],
    ['361', 'default.jpg'],
    ['0', 'default.gif'],
    ['0', 'sepia.jpg'],
    ['0', 'default'],
  ])('refuses rotation %s with %s', (rotation, qf) =>
    expect(() => request('full', 'max', rotation, qf)).toThrow(InvalidIiifRequestError),
  );
});

describe('stored tiles and reads', () => {
  it('finds the tile a tile-grid request names, at every level', () => {
    expect(storedTileFor(spec, 'jpeg', request('0,0,256,256', '256,'))).toEqual({ level: 10, col: 0, row: 0 });
    expect(storedTileFor(spec, 'jpeg', request('768,512,232,88', '232,'))).toEqual({ level: 10, col: 3, row: 2 });
    expect(storedTileFor(spec, 'jpeg', request('512,512,488,88', '244,'))).toEqual({ level: 9, col: 1, row: 1 });
    expect(storedTileFor(spec, 'jpeg', request('full', '250,'))).toEqual({ level: 8, col: 0, row: 0 });
  });

  it('finds none when anything differs from the stored tile', () => {
    expect(storedTileFor(spec, 'png', request('0,0,256,256', '256,'))).toBeNull();
    expect(storedTileFor(spec, 'jpeg', request('0,0,256,256', '256,', '90'))).toBeNull();
    expect(storedTileFor(spec, 'jpeg', request('0,0,256,256', '256,', '0', 'gray.jpg'))).toBeNull();
    expect(storedTileFor(spec, 'jpeg', request('1,0,256,256', '256,'))).toBeNull();
    expect(storedTileFor({ ...spec, overlap: 1 }, 'jpeg', request('0,0,256,256', '256,'))).toBeNull();
  });

  it('reads the smallest level detailed enough, and only the tiles covering the region', () => {
    const read = planRegionRead(spec, request('300,0,400,300', '100,'), limits);
    expect(read).toEqual({ level: 8, x: 75, y: 0, width: 100, height: 75 });
    expect(tilesCovering(spec, read)).toEqual([{ col: 0, row: 0 }]);
    const full = planRegionRead(spec, request('250,250,300,300', 'max'), limits);
    expect(full).toEqual({ level: 10, x: 250, y: 250, width: 300, height: 300 });
    expect(tilesCovering(spec, full)).toHaveLength(9); // columns and rows 0-2 (250..549)
  });

  it('refuses, before reading, a size that would read more than maxReadArea (aspect ratio changed)', () => {
    // A 65535 x 15000 panorama asked for at 1 x 8192: the height needs a level at least
    // 8192 high, which is the full-size one: 983 MP read for an answer of 8192 pixels.
    const long = { width: 65_535, height: 15_000, tileSize: 256, overlap: 1 };
    const own = { maxArea: 16_777_216, maxSide: 8192, maxReadArea: 67_200_000 };
    const at = (size: string) =>
      parseImageRequest({ region: 'full', size, rotation: '0', qualityFormat: 'default.png' }, long, own);
    expect(() => planRegionRead(long, at('1,8192'), own)).toThrow(/would read 65535x15000 pixels/);
    expect(() => planRegionRead(long, at('1,8192'), { maxReadArea: 1_000_000_000 })).not.toThrow();
    // The same height with the aspect ratio kept reads about four times the answer at most.
    const kept = planRegionRead(long, at(',900'), own);
    expect(kept.width * kept.height).toBeLessThanOrEqual(4 * 4096 * 900);
  });

  it('reads at most maxReadArea for any max answer, whatever the image (the default fits max)', () => {
    for (const [w, h] of [
      [65_535, 15_000],
      [40_000, 20_000],
      [3001, 2999],
      [100_000, 257],
    ]) {
      const big = { width: w, height: h, tileSize: 254, overlap: 1 };
      const own = { maxArea: 16_777_216, maxSide: 8192 };
      const all = { ...own, maxReadArea: 4 * own.maxArea + 8 * own.maxSide + 4 };
      const req = parseImageRequest(
        { region: 'full', size: 'max', rotation: '0', qualityFormat: 'default.jpg' },
        big,
        all,
      );
      const read = planRegionRead(big, req, all);
      expect(read.width * read.height).toBeLessThanOrEqual(all.maxReadArea);
    }
  });

  it('keeps a turned answer within the limits: max fits the rotated box, explicit sizes over it are refused', () => {
    expect(rotatedBox(100, 50, 90)).toEqual({ width: 50, height: 100 });
    expect(rotatedBox(100, 50, 180)).toEqual({ width: 100, height: 50 });
    expect(rotatedBox(100, 100, 45)).toEqual({ width: 142, height: 142 });
    const wide = { width: 20_000, height: 10_000 };
    const own = { maxArea: 4_000_000, maxSide: 3000, maxReadArea: 16_100_000 };
    const turned = parseImageRequest(
      { region: 'full', size: 'max', rotation: '45', qualityFormat: 'default.png' },
      wide,
      own,
    );
    const box = rotatedBox(turned.width, turned.height, 45);
    expect(box.width * box.height).toBeLessThanOrEqual(own.maxArea);
    expect(Math.max(box.width, box.height)).toBeLessThanOrEqual(own.maxSide);
    expect(() =>
      parseImageRequest({ region: 'full', size: '2000,', rotation: '45', qualityFormat: 'default.png' }, wide, own),
    ).toThrow(/turned by 45 degrees needs/);
    // The same size unturned is within the limits.
    expect(() =>
      parseImageRequest({ region: 'full', size: '2000,', rotation: '0', qualityFormat: 'default.png' }, wide, own),
    ).not.toThrow();
  });

  it('describes the service in info.json', () => {
    const info = iiifInfo('https://x.test/iiif', spec, limits);
    expect(info).toMatchObject({ id: 'https://x.test/iiif', type: 'ImageService3', profile: 'level2', width: 1000 });
    expect(info.tiles).toEqual([{ width: 256, height: 256, scaleFactors: [1, 2, 4] }]);
    expect(info.sizes.at(-1)).toEqual({ width: 1000, height: 600 });
  });
});
