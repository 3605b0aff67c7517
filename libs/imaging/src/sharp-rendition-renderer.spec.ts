import { execFileSync } from 'node:child_process';
import { readFile, mkdtemp, rm, writeFile, access } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { loadConfig } from '#config';
import { normaliseSpec, RenderFailedError, RenderTimedOutError, type RenditionRequest } from '#renditions';
import type { ReadablePyramid } from '#shared-kernel';
import { makeJpeg, makeNoisyJpeg, makePngWithAlpha, makeSidewaysJpeg } from '#testing';
import { DEFAULT_TILE_OPTIONS, levels, tileBounds, tilePath } from '#tiles';
import { SharpImageProcessor } from './sharp-image-processor.js';
import { SharpPyramidTiler } from './sharp-pyramid-tiler.js';
import { SharpRenditionRenderer } from './sharp-rendition-renderer.js';

/** Renditions against real libvips: sizes, formats, orientation, metadata, pyramids, isolation. */
let dir: string;
let renderer: SharpRenditionRenderer;

/** With a short kill grace: a render held to its 1 s timeout is killed 0.1 s past it, not 5 s. */
class QuickToKill extends SharpRenditionRenderer {
  protected override readonly killGraceMs = 100;
}
let images: SharpImageProcessor;
const config = () => loadConfig({ TILING_WORK_DIR: join(dir, 'tiling') });
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tessera-render-'));
  renderer = new QuickToKill(config());
  images = new SharpImageProcessor(config());
});
afterAll(() => rm(dir, { recursive: true, force: true }));

let counter = 0;
async function file(bytes: Buffer): Promise<string> {
  const path = join(dir, `in-${++counter}`);
  await writeFile(path, bytes);
  return path;
}

/** Renders `request` of the image at `path` as the service would: spec from the probed (upright) size. */
async function render(path: string, request: RenditionRequest, options = {}) {
  const info = await images.probe(path);
  const spec = normaliseSpec(request, info);
  const out = join(dir, `out-${++counter}`);
  const result = await renderer.render({ path }, spec, out, options);
  const bytes = await readFile(out);
  return { spec, result, bytes, metadata: spec.format === 'avif' ? null! : await sharp(bytes).metadata() };
}

const exists = (path: string) =>
  access(path).then(
    () => true,
    () => false,
  );

describe('SharpRenditionRenderer (real libvips)', () => {
  it.each<[number, number, RenditionRequest]>([
    [1001, 333, { width: 320 }],
    [333, 1001, { width: 100 }],
    [997, 499, { height: 37 }],
    [4001, 1999, { width: 1000, height: 100 }],
    [1200, 800, { width: 301, height: 301, fit: 'cover' }],
    [640, 480, { width: 7 }],
  ])('%ix%i %j: exactly the normalised size, keeping the aspect ratio', async (width, height, request) => {
    const { spec, metadata } = await render(await file(await makeJpeg(width, height)), request);
    expect([metadata.width, metadata.height]).toEqual([spec.width, spec.height]);
    if (spec.fit === 'inside') {
      // Within rounding to whole pixels of the source's ratio.
      expect(Math.abs(spec.width / spec.height - width / height)).toBeLessThan(
        (width / height) * (1 / spec.height + 1 / spec.width) + 1e-9,
      );
    }
  });

  it.each([
    ['jpeg', [0xff, 0xd8, 0xff]],
    ['png', [0x89, 0x50, 0x4e, 0x47]],
    ['webp', [0x52, 0x49, 0x46, 0x46]],
  ] as const)(
    'writes %s, recognisable by its magic bytes, with the size and checksum reported',
    async (format, magic) => {
      const { bytes, result, metadata } = await render(await file(await makeJpeg(800, 400)), { width: 200, format });
      expect([...bytes.subarray(0, magic.length)]).toEqual(magic);
      expect(metadata.format).toBe(format);
      expect(result.bytes).toBe(bytes.length);
      expect(result.sha256).toMatch(/^[0-9a-f]{64}$/);
    },
  );

  it('writes AVIF (an ftyp box with the avif brand)', async () => {
    const { bytes } = await render(await file(await makeJpeg(400, 200)), { width: 64, format: 'avif' });
    expect(bytes.subarray(4, 12).toString('latin1')).toBe('ftypavif');
  });

  it('turns a sideways (EXIF orientation 6) JPEG upright and keeps no EXIF or GPS', async () => {
    const path = await file(await makeSidewaysJpeg(300, 100));
    expect(await images.probe(path)).toMatchObject({ width: 100, height: 300 });
    const { metadata, bytes } = await render(path, { width: 50, format: 'png' });
    expect([metadata.width, metadata.height]).toEqual([50, 150]);
    expect(metadata.exif).toBeUndefined();
    expect(metadata.orientation).toBeUndefined();
    expect(bytes.includes(Buffer.from('Tessera Test Camera'))).toBe(false);
    // Upright: the blue marker of the stored top-left corner is now at the top right.
    const { data } = await sharp(bytes).removeAlpha().raw().toBuffer({ resolveWithObject: true });
    const pixel = (x: number, y: number) => [...data.subarray((y * 50 + x) * 3, (y * 50 + x) * 3 + 3)];
    expect(pixel(48, 1)[2]).toBeGreaterThan(200);
    expect(pixel(1, 1)[0]).toBeGreaterThan(200);
  });

  it('flattens transparency onto white for JPEG', async () => {
    const { bytes } = await render(await file(await makePngWithAlpha(64, 64)), { width: 64, format: 'jpeg' });
    const { data, info } = await sharp(bytes).raw().toBuffer({ resolveWithObject: true });
    expect(info.channels).toBe(3);
    // The top-left pixel is black at alpha 64/255: on white it is light grey (191), on black it would stay 0.
    expect(Math.min(...data.subarray(0, 3))).toBeGreaterThan(150);
  });

  it('refuses an image that cannot be decoded with RenderFailedError, leaving no output', async () => {
    const truncated = (await makeJpeg(512, 512)).subarray(0, 2_000);
    const path = await file(truncated);
    const out = join(dir, 'truncated-out');
    const spec = normaliseSpec({ width: 100 }, { width: 512, height: 512, format: 'jpeg' });
    await expect(renderer.render({ path }, spec, out)).rejects.toBeInstanceOf(RenderFailedError);
    expect(await exists(out)).toBe(false);
  });

  it('from a ready pyramid: reads only the tiles of one small level and matches the original', async () => {
    const jpeg = await makeNoisyJpeg(3000, 1500);
    const source = await file(jpeg);
    const tiler = new SharpPyramidTiler(config());
    const cut = await tiler.cut({ path: source }, { ...DEFAULT_TILE_OPTIONS, format: 'png' }, () => undefined);
    try {
      const geometry = { width: 3000, height: 1500, tileSize: 256, overlap: 1 };
      const reads: string[] = [];
      const pyramid: ReadablePyramid = {
        ...geometry,
        format: 'png',
        quality: 100,
        levels: levels(geometry),
        tileBounds: (level, col, row) => tileBounds(geometry, level, col, row),
        readTile: (level, col, row) => {
          reads.push(`${level}/${col}_${row}`);
          return readFile(join(cut.directory, tilePath(level, col, row, 'png')));
        },
      };
      const spec = normaliseSpec({ width: 300, format: 'png' }, { width: 3000, height: 1500, format: 'jpeg' });
      const fromTiles = join(dir, 'from-tiles.png');
      await renderer.render({ pyramid }, spec, fromTiles);
      // 300 px wide needs level 9 (375 x 188): 2 x 1 tiles, nothing else.
      expect(new Set(reads.map((r) => r.split('/')[0]))).toEqual(new Set(['9']));
      expect(reads).toHaveLength(2);

      const fromOriginal = join(dir, 'from-original.png');
      await renderer.render({ path: source }, spec, fromOriginal);
      const a = await sharp(fromTiles).raw().toBuffer({ resolveWithObject: true });
      const b = await sharp(fromOriginal).raw().toBuffer({ resolveWithObject: true });
      expect([a.info.width, a.info.height]).toEqual([300, 150]);
      expect([b.info.width, b.info.height]).toEqual([300, 150]);
      expect(a.info.channels).toBe(b.info.channels);
      let difference = 0;
      for (let i = 0; i < a.data.length; i++) difference += Math.abs(a.data[i] - b.data[i]);
      // Two resampling paths of the same picture: close, not identical (mean per channel).
      expect(difference / a.data.length).toBeLessThan(12);
    } finally {
      await cut.dispose();
    }
  });

  describe('killable: every render runs in a child process', () => {
    const renderChildren = () =>
      execFileSync('ps', ['-o', 'args=', '--ppid', String(process.pid)], { encoding: 'utf8' })
        .split('\n')
        .filter((line) => line.includes('render-child')).length;
    const slowAvif = async () => ({
      path: await file(await makeNoisyJpeg(6000, 3000)),
      spec: normaliseSpec({ width: 6000, format: 'avif', effort: 9 }, { width: 6000, height: 3000, format: 'jpeg' }),
    });

    it('holds a job render (no signal) to its timeout, AVIF included (its encoder ignores libvips timeouts)', async () => {
      const { path, spec } = await slowAvif();
      const out = join(dir, 'job-timeout.avif');
      await expect(renderer.render({ path }, spec, out, { timeoutSeconds: 1 })).rejects.toBeInstanceOf(
        RenderTimedOutError,
      );
      expect(await exists(out)).toBe(false);
      expect(renderChildren()).toBe(0);
    });

    it('stops renders under way at shutdown: the child is killed and the render fails as retryable', async () => {
      const { path, spec } = await slowAvif();
      const out = join(dir, 'shutdown.avif');
      const work = renderer.render({ path }, spec, out);
      while (renderChildren() === 0) await new Promise((r) => setTimeout(r, 20));
      renderer.onApplicationShutdown();
      await expect(work).rejects.toThrow(/stopped \(shutdown\)/);
      await expect(work).rejects.not.toBeInstanceOf(RenderFailedError);
      expect(await exists(out)).toBe(false);
      while (renderChildren() > 0) await new Promise((r) => setTimeout(r, 20));
    });
  });

  describe('isolated (with an abort signal: a child process)', () => {
    it('renders the same file as in-process', async () => {
      const path = await file(await makeJpeg(900, 300));
      const spec = normaliseSpec({ width: 120, format: 'webp' }, { width: 900, height: 300, format: 'jpeg' });
      const here = join(dir, 'here.webp');
      const there = join(dir, 'there.webp');
      const a = await renderer.render({ path }, spec, here);
      const b = await renderer.render({ path }, spec, there, { signal: new AbortController().signal });
      expect(b).toEqual(a);
    });

    it('stops the work when aborted: the child is killed and no output is left', async () => {
      const path = await file(await makeNoisyJpeg(6000, 3000));
      const spec = normaliseSpec(
        { width: 5000, format: 'avif', effort: 9 },
        { width: 6000, height: 3000, format: 'jpeg' },
      );
      const out = join(dir, 'aborted.avif');
      const controller = new AbortController();
      const work = renderer.render({ path }, spec, out, { signal: controller.signal });
      setTimeout(() => controller.abort(new Error('client gone')), 300);
      await expect(work).rejects.toThrow('client gone');
      expect(await exists(out)).toBe(false);
    });

    it('reports an undecodable image as RenderFailedError, and a timeout as RenderTimedOutError', async () => {
      const signal = new AbortController().signal;
      const spec = normaliseSpec({ width: 100 }, { width: 512, height: 512, format: 'jpeg' });
      const broken = await file((await makeJpeg(512, 512)).subarray(0, 2_000));
      await expect(renderer.render({ path: broken }, spec, join(dir, 'b1'), { signal })).rejects.toBeInstanceOf(
        RenderFailedError,
      );
      const big = await file(await makeNoisyJpeg(6000, 3000));
      const slow = normaliseSpec(
        { width: 6000, format: 'avif', effort: 9 },
        { width: 6000, height: 3000, format: 'jpeg' },
      );
      await expect(
        renderer.render({ path: big }, slow, join(dir, 'b2'), { signal, timeoutSeconds: 1 }),
      ).rejects.toBeInstanceOf(RenderTimedOutError);
    });
  });
});
