import { jest } from '@jest/globals';
import sharp, { type OutputInfo } from 'sharp';
import type { ReadablePyramid } from '#shared-kernel';
import { levelGeometry, levels, maxLevel, parseImageRequest, planRegionRead, tileBounds } from '#tiles';
import { SharpRegionRenderer } from './sharp-region-renderer.js';

/** The IIIF renderer on real libvips stops reading when its signal aborts (a client that left). */
const geometry = { width: 4000, height: 1000, tileSize: 256, overlap: 0 };
const limits = { maxArea: 16_777_216, maxSide: 8192, maxReadArea: 67_200_000 };

async function pyramidCounting(onRead: (count: number) => void) {
  const tile = await sharp({ create: { width: 256, height: 256, channels: 3, background: '#336699' } })
    .jpeg()
    .toBuffer();
  let reads = 0;
  const pyramid: ReadablePyramid = {
    ...geometry,
    format: 'jpeg',
    quality: 85,
    levels: levels(geometry),
    tileBounds: (level, col, row) => tileBounds(geometry, level, col, row),
    readTile: async () => {
      onRead(++reads);
      return tile;
    },
  };
  return { pyramid, reads: () => reads };
}

const fullSize = () =>
  parseImageRequest({ region: 'full', size: 'max', rotation: '0', qualityFormat: 'default.jpg' }, geometry, limits);

describe('SharpRegionRenderer (real libvips)', () => {
  it('renders the full-size level from its 64 tiles', async () => {
    const { pyramid, reads } = await pyramidCounting(() => undefined);
    const request = fullSize();
    const read = planRegionRead(geometry, request, limits);
    expect(read.level).toBe(maxLevel(geometry));
    const out = await new SharpRegionRenderer().render(pyramid, read, request, {
      signal: new AbortController().signal,
      timeout: 60,
    });
    expect(await sharp(out).metadata()).toMatchObject({ width: 4000, height: 1000, format: 'jpeg' });
    expect(reads()).toBe(16 * 4);
  });

  it('stops reading tiles once its signal aborts, and rejects with the reason', async () => {
    const gone = new AbortController();
    const { pyramid, reads } = await pyramidCounting((count) => {
      if (count === 3) gone.abort(new Error('the client went away'));
    });
    const request = fullSize();
    const render = new SharpRegionRenderer().render(pyramid, planRegionRead(geometry, request, limits), request, {
      signal: gone.signal,
      timeout: 60,
    });
    await expect(render).rejects.toThrow('the client went away');
    // The reads already under way (at most one per lane) finish; no new one starts.
    expect(reads()).toBeLessThan(3 + 8);
  });
});

/** A pyramid of a picture (gradients and a checkerboard), its tiles cut from each level's image. */
async function picturePyramid(spec: { width: number; height: number; tileSize: number; overlap: number }) {
  const pixels = Buffer.alloc(spec.width * spec.height * 3);
  for (let y = 0; y < spec.height; y++) {
    for (let x = 0; x < spec.width; x++) {
      const i = (y * spec.width + x) * 3;
      pixels[i] = Math.round((x * 255) / spec.width);
      pixels[i + 1] = Math.round((y * 255) / spec.height);
      pixels[i + 2] = ((x >> 5) + (y >> 5)) % 2 === 0 ? 220 : 30;
    }
  }
  const full = { data: pixels, info: { width: spec.width, height: spec.height, channels: 3 as const } };
  const levelImages = new Map<number, Promise<{ data: Buffer; info: OutputInfo }>>();
  const levelImage = (level: number) => {
    if (!levelImages.has(level)) {
      const { width, height } = levelGeometry(spec, level);
      levelImages.set(
        level,
        sharp(full.data, { raw: full.info })
          .resize(width, height, { fit: 'fill' })
          .raw()
          .toBuffer({ resolveWithObject: true }),
      );
    }
    return levelImages.get(level)!;
  };
  const pyramid: ReadablePyramid = {
    ...spec,
    format: 'jpeg',
    quality: 90,
    levels: levels(spec),
    tileBounds: (level, col, row) => tileBounds(spec, level, col, row),
    readTile: async (level, col, row) => {
      const b = tileBounds(spec, level, col, row);
      const { data, info } = await levelImage(level);
      return sharp(data, { raw: { width: info.width, height: info.height, channels: 3 } })
        .extract({ left: b.x, top: b.y, width: b.width, height: b.height })
        .jpeg({ quality: 90 })
        .toBuffer();
    },
  };
  return pyramid;
}

/** Mean absolute difference of two images' pixels (same size), 0-255. */
async function difference(a: Buffer, b: Buffer) {
  const [x, y] = await Promise.all([a, b].map((image) => sharp(image).raw().toBuffer({ resolveWithObject: true })));
  expect([y.info.width, y.info.height, y.info.channels]).toEqual([x.info.width, x.info.height, x.info.channels]);
  let sum = 0;
  for (let i = 0; i < x.data.length; i++) sum += Math.abs(x.data[i] - y.data[i]);
  return sum / x.data.length;
}

describe('SharpRegionRenderer: one pipeline for tiles without overlap', () => {
  const spec = { width: 1900, height: 1000, tileSize: 256, overlap: 0 };
  let pyramid: ReadablePyramid;
  beforeAll(async () => {
    pyramid = await picturePyramid(spec);
  });
  const cases: [string, string, string, string][] = [
    ['full', 'max', '0', 'default.jpg'],
    ['full', '512,', '0', 'default.jpg'],
    ['300,200,700,500', 'max', '0', 'default.jpg'],
    ['300,200,700,500', '!200,200', '0', 'gray.jpg'],
    ['1700,900,200,100', 'max', '0', 'default.png'],
    ['pct:10,10,50,50', '300,100', '0', 'default.jpg'],
    ['0,0,256,256', '256,', '0', 'default.jpg'],
    ['square', '400,', '!0', 'default.jpg'],
    ['1000,100,900,900', '^600,600', '0', 'bitonal.png'],
    ['5,5,2,2', 'max', '0', 'color.webp'],
  ];

  it.each(cases)(
    '%s/%s/%s/%s: the same pixels as the step-by-step render',
    async (region, size, rotation, qualityFormat) => {
      const request = parseImageRequest({ region, size, rotation, qualityFormat }, spec, limits);
      const read = planRegionRead(spec, request, limits);
      const options = { signal: new AbortController().signal, timeout: 60 };
      const renderer = new SharpRegionRenderer();
      const [joined, stepwise] = await Promise.all([
        renderer.renderJoined(pyramid, read, request, options),
        renderer.renderInSteps(pyramid, read, request, options),
      ]);
      const [a, b] = await Promise.all([sharp(joined).metadata(), sharp(stepwise).metadata()]);
      expect([a.width, a.height, a.format, a.channels]).toEqual([b.width, b.height, b.format, b.channels]);
      expect(await difference(joined, stepwise)).toBeLessThan(1);
    },
  );

  it('is what render() takes for such a tile set, and not for one with overlap or a rotation', async () => {
    const renderer = new SharpRegionRenderer();
    const joined = jest.spyOn(renderer, 'renderJoined');
    const options = { signal: new AbortController().signal, timeout: 60 };
    const ask = async (pyramidSpec: typeof spec, rotation: string) => {
      const source = pyramidSpec.overlap === 0 ? pyramid : await picturePyramid(pyramidSpec);
      const request = parseImageRequest(
        { region: '100,100,600,400', size: '300,', rotation, qualityFormat: 'default.jpg' },
        pyramidSpec,
        limits,
      );
      await renderer.render(source, planRegionRead(pyramidSpec, request, limits), request, options);
    };
    await ask(spec, '0');
    expect(joined).toHaveBeenCalledTimes(1);
    await ask({ ...spec, overlap: 1 }, '0');
    await ask(spec, '90');
    expect(joined).toHaveBeenCalledTimes(1);
  });
});
