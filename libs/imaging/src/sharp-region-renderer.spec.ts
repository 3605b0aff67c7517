import sharp from 'sharp';
import type { ReadablePyramid } from '#shared-kernel';
import { levels, maxLevel, parseImageRequest, planRegionRead, tileBounds } from '#tiles';
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
