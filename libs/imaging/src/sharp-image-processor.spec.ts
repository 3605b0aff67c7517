import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { loadConfig } from '#config';
import { ImageTooLargeError, InvalidImageError } from '#panoramas';
import {
  encodeBmp,
  FOREIGN_FILES,
  jpegClaiming,
  makeJpeg,
  makePngWithAlpha,
  makeTiff,
  makeWebp,
  pngClaiming,
} from '#testing';
import { SharpImageProcessor } from './sharp-image-processor.js';

let dir: string;
const processor = new SharpImageProcessor(loadConfig({ IMAGE_MAX_PIXELS: '50000000', IMAGE_MAX_SIDE: '30000' }));
const file = async (name: string, data: Buffer) => {
  const path = join(dir, name);
  await writeFile(path, data);
  return path;
};

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tessera-imaging-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('SharpImageProcessor.probe (real sharp)', () => {
  it.each([
    ['jpeg', () => makeJpeg(320, 160)],
    ['png', () => makePngWithAlpha(320, 160)],
    ['webp', () => makeWebp(320, 160)],
    ['tiff', () => makeTiff(320, 160)],
  ])('reads a %s header', async (format, make) => {
    const info = await processor.probe(await file(`a.${format}`, await make()));
    expect(info).toMatchObject({ format, width: 320, height: 160 });
  });

  it('reports alpha, progressive scans and EXIF orientation', async () => {
    const png = await processor.probe(await file('alpha.png', await makePngWithAlpha(64, 32)));
    expect(png.hasAlpha).toBe(true);
    const progressive = await sharp(await makeJpeg(64, 32))
      .jpeg({ progressive: true })
      .withMetadata({ orientation: 6 })
      .toBuffer();
    expect(await processor.probe(await file('p.jpg', progressive))).toMatchObject({
      progressive: true,
      orientation: 6,
    });
  });

  it('refuses headers beyond the side or pixel limits, without decoding', async () => {
    await expect(processor.probe(await file('bomb.png', pngClaiming(100_000, 100_000)))).rejects.toBeInstanceOf(
      ImageTooLargeError,
    );
    await expect(processor.probe(await file('wide.png', pngClaiming(30_001, 10)))).rejects.toBeInstanceOf(
      ImageTooLargeError,
    );
    await expect(processor.probe(await file('many.jpg', await jpegClaiming(10_000, 5_001)))).rejects.toBeInstanceOf(
      ImageTooLargeError,
    );
    await expect(processor.probe(await file('ok.jpg', await jpegClaiming(10_000, 5_000)))).resolves.toMatchObject({
      width: 10_000,
      height: 5_000,
    });
  });

  it.each(Object.keys(FOREIGN_FILES))(
    'refuses %s content even when called directly (loaders blocked)',
    async (kind) => {
      await expect(processor.probe(await file(`x.${kind}`, FOREIGN_FILES[kind]))).rejects.toBeInstanceOf(
        InvalidImageError,
      );
    },
  );

  it('has libvips refuse to open an SVG at all: its loader is blocked in this process', async () => {
    const svg = Buffer.from(
      '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10"/></svg>',
    );
    await expect(sharp(svg).metadata()).rejects.toThrow();
    await expect(processor.probe(await file('real', svg))).rejects.toBeInstanceOf(InvalidImageError);
    // The allowed loaders still work from buffers too.
    await expect(sharp(await makeJpeg(8, 8)).metadata()).resolves.toMatchObject({ format: 'jpeg' });
  });

  it('reads GIF (first frame), AVIF and BMP headers', async () => {
    const jpeg = await makeJpeg(320, 160);
    const gif = await sharp(jpeg).gif().toBuffer();
    const avif = await sharp(jpeg).avif().toBuffer();
    const rgba = await sharp(jpeg).ensureAlpha().raw().toBuffer();
    const bmp = encodeBmp({ width: 320, height: 160, data: rgba }, { bitCount: 32, alpha: true });
    expect(await processor.probe(await file('a.gif', gif))).toMatchObject({ format: 'gif', width: 320, height: 160 });
    expect(await processor.probe(await file('a.avif', avif))).toMatchObject({
      format: 'avif',
      width: 320,
      height: 160,
    });
    expect(await processor.probe(await file('a.bmp', bmp))).toMatchObject({
      format: 'bmp',
      width: 320,
      height: 160,
      hasAlpha: true,
    });
  });

  it('prices a bitmap by its header before anything else, then checks that its pixels are all there', async () => {
    const bmp = encodeBmp({ width: 16, height: 8, data: Buffer.alloc(16 * 8 * 4) }, { bitCount: 24 });
    const claim = Buffer.from(bmp);
    claim.writeInt32LE(65535, 18);
    claim.writeInt32LE(65535, 22);
    await expect(processor.probe(await file('claim.bmp', claim))).rejects.toBeInstanceOf(ImageTooLargeError);
    await expect(processor.probe(await file('cut.bmp', bmp.subarray(0, bmp.length - 1)))).rejects.toThrow(/cut short/);
    await expect(processor.probe(await file('head.bmp', bmp.subarray(0, 30)))).rejects.toBeInstanceOf(
      InvalidImageError,
    );
  });

  it('refuses a missing or empty file', async () => {
    await expect(processor.probe(join(dir, 'nope.jpg'))).rejects.toBeInstanceOf(InvalidImageError);
    await expect(processor.probe(await file('empty.jpg', Buffer.alloc(0)))).rejects.toBeInstanceOf(InvalidImageError);
  });
});
