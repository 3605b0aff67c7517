import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { loadConfig } from '#config';
import { ImageTooLargeError, InvalidImageError } from '#panoramas';
import { FOREIGN_FILES, jpegClaiming, makeJpeg, makePngWithAlpha, makeTiff, makeWebp, pngClaiming } from '#testing';
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

  it('has libvips refuse to open a real GIF or SVG at all: their loaders are blocked in this process', async () => {
    const gif = await sharp(await makeJpeg(8, 8))
      .gif()
      .toBuffer();
    const svg = Buffer.from(
      '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10"/></svg>',
    );
    for (const data of [gif, svg]) {
      await expect(sharp(data).metadata()).rejects.toThrow();
      await expect(processor.probe(await file('real', data))).rejects.toBeInstanceOf(InvalidImageError);
    }
    // The allowed loaders still work from buffers too.
    await expect(sharp(await makeJpeg(8, 8)).metadata()).resolves.toMatchObject({ format: 'jpeg' });
  });

  it('refuses a missing or empty file', async () => {
    await expect(processor.probe(join(dir, 'nope.jpg'))).rejects.toBeInstanceOf(InvalidImageError);
    await expect(processor.probe(await file('empty.jpg', Buffer.alloc(0)))).rejects.toBeInstanceOf(InvalidImageError);
  });
});
