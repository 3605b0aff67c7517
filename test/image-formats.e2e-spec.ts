import sharp, { type Sharp } from 'sharp';
import { encodeBmp, heicHeader, makeJpeg } from '#testing';
import { type ApiHarness, expectProblem, fromClient, startApi } from './support/api-harness.js';
import { followEvents, psnr, stitchTopLevel } from './support/tiles.js';
import { upload } from './support/uploads.js';

/**
 * The inputs people upload beside JPEG: BMP, GIF, AVIF, 16-bit and CMYK images. Each is
 * uploaded, cut into PNG tiles (lossless, so the tiles show exactly what was decoded), stitched
 * back and compared with the source's pixels; the compress route renders them too. HEIC is
 * refused by name; hostile bitmaps get the same 4xx as hostile PNGs.
 */
let api: ApiHarness;
let owner: Awaited<ReturnType<ApiHarness['userClient']>>;
beforeAll(async () => {
  api = await startApi();
  owner = await api.userClient();
});
afterAll(() => api?.close());

const WIDTH = 600;
const HEIGHT = 300;
const TILE = 256;

/** A photo-like source: a gradient with detail, as raw RGBA. */
async function source(): Promise<Buffer> {
  const jpeg = await makeJpeg(WIDTH, HEIGHT, 95);
  return sharp(jpeg).ensureAlpha().raw().toBuffer();
}

async function tileAndStitch(image: Buffer) {
  const uploaded = await upload(owner.client, image, { fields: { tileFormat: 'png', tileSize: TILE, overlap: 0 } });
  expect(uploaded.response.status).toBe(202);
  const tileSetId = uploaded.data!.tileSets[0].id;
  const events = await followEvents(`${api.baseUrl}/v1/tilesets/${tileSetId}/events`, owner.accessToken);
  expect(events.at(-1)).toMatchObject({ event: 'ready' });
  const tiles: Buffer[] = [];
  const stitched = await stitchTopLevel(
    { width: WIDTH, height: HEIGHT, tileSize: TILE, overlap: 0 },
    async (col, row) => {
      const level = Math.ceil(Math.log2(Math.max(WIDTH, HEIGHT)));
      const response = await fetch(`${api.baseUrl}/v1/tilesets/${tileSetId}/image_files/${level}/${col}_${row}.png`, {
        headers: { authorization: `Bearer ${owner.accessToken}` },
      });
      expect(response.status).toBe(200);
      const tile = Buffer.from(await response.arrayBuffer());
      tiles.push(tile);
      return tile;
    },
  );
  // Every tile is plain 8-bit sRGB, whatever the source was.
  for (const tile of tiles) expect(await sharp(tile).metadata()).toMatchObject({ depth: 'uchar', space: 'srgb' });
  return { panorama: uploaded.data!, stitched };
}

/** POST /v1/images/compress: the image 300 px wide as PNG; fails unless the answer is 200. */
async function compressTo300PxPng(image: Buffer, filename: string): Promise<Response> {
  const form = new FormData();
  form.append('width', '300');
  form.append('format', 'png');
  form.append('file', new Blob([new Uint8Array(image)]), filename);
  const response = await fetch(`${api.baseUrl}/v1/images/compress`, {
    method: 'POST',
    headers: { authorization: `Bearer ${owner.accessToken}` },
    body: form,
  });
  expect([response.status, response.status === 200 ? '' : await response.text()]).toEqual([200, '']);
  return response;
}

describe('bitmaps', () => {
  it.each([
    ['24-bit bottom-up', { bitCount: 24 as const }],
    ['32-bit top-down with alpha', { bitCount: 32 as const, topDown: true, alpha: true }],
  ])('tiles a %s BMP exactly', async (_, options) => {
    const rgba = await source();
    if ('alpha' in options) for (let i = 3; i < rgba.length; i += 4) rgba[i] = (i >> 2) % 256;
    const { panorama, stitched } = await tileAndStitch(
      encodeBmp({ width: WIDTH, height: HEIGHT, data: rgba }, options),
    );
    expect(panorama).toMatchObject({ format: 'bmp', contentType: 'image/bmp', width: WIDTH, height: HEIGHT });
    expect(psnr(stitched, rgba)).toBe(Infinity);
    if ('alpha' in options) expect(stitched.equals(rgba)).toBe(true);
  });

  it('tiles an RLE8 bitmap exactly', async () => {
    // Few colours, in runs: what RLE is for.
    const rgba = Buffer.alloc(WIDTH * HEIGHT * 4);
    for (let i = 0; i < WIDTH * HEIGHT; i++) {
      const band = Math.floor((i % WIDTH) / 7) + Math.floor(i / WIDTH / 5);
      rgba.set([(band * 37) % 256, (band * 91) % 256, (band * 13) % 256, 255], i * 4);
    }
    const bmp = encodeBmp({ width: WIDTH, height: HEIGHT, data: rgba }, { bitCount: 8, rle: true });
    const { stitched } = await tileAndStitch(bmp);
    expect(psnr(stitched, rgba)).toBe(Infinity);
  });

  it('renders a bitmap through the compress route (the isolated renderer reads it too)', async () => {
    const rgba = await source();
    const bmp = encodeBmp({ width: WIDTH, height: HEIGHT, data: rgba }, { bitCount: 24 });
    const response = await compressTo300PxPng(bmp, 'scan.bmp');
    expect(response.headers.get('x-original-format')).toBe('bmp');
    const png = Buffer.from(await response.arrayBuffer());
    const expected = await sharp(rgba, { raw: { width: WIDTH, height: HEIGHT, channels: 4 } })
      .resize(300, 150, { fit: 'fill' })
      .ensureAlpha()
      .raw()
      .toBuffer();
    expect(psnr(await sharp(png).ensureAlpha().raw().toBuffer(), expected)).toBeGreaterThan(40);
  });

  it('refuses a header claiming 65535 x 65535 and pixel data cut short with 422, and an RLE run past its row when tiling', async () => {
    const bmp = encodeBmp({ width: 64, height: 32, data: Buffer.alloc(64 * 32 * 4, 200) }, { bitCount: 24 });
    const claim = Buffer.from(bmp);
    claim.writeInt32LE(65535, 18);
    claim.writeInt32LE(65535, 22);
    expectProblem(fromClient(await upload(owner.client, claim, { filename: 'claim.bmp' })), 422, 'IMAGE_TOO_LARGE');
    const cut = bmp.subarray(0, bmp.length - 100);
    expectProblem(fromClient(await upload(owner.client, cut, { filename: 'cut.bmp' })), 422, 'INVALID_IMAGE');

    // Valid headers, RLE data that overruns its row: accepted, then the cut fails for good.
    const rle = encodeBmp({ width: 64, height: 32, data: Buffer.alloc(64 * 32 * 4, 90) }, { bitCount: 8, rle: true });
    const firstRun = rle.readUInt32LE(10);
    rle[firstRun] = 200; // a run of 200 pixels in a row of 64
    const uploaded = await upload(owner.client, rle, { filename: 'overrun.bmp' });
    expect(uploaded.response.status).toBe(202);
    const events = await followEvents(
      `${api.baseUrl}/v1/tilesets/${uploaded.data!.tileSets[0].id}/events`,
      owner.accessToken,
    );
    expect(events.at(-1)).toMatchObject({ event: 'failed', data: { status: 'failed' } });
  });
});

describe('GIF, AVIF, 16-bit and CMYK', () => {
  it('tiles the first frame of an animated GIF', async () => {
    const frame = (colour: string) =>
      sharp({ create: { width: WIDTH, height: HEIGHT, channels: 3, background: colour } })
        .png()
        .toBuffer();
    const animated = await sharp([await frame('#ff0000'), await frame('#0000ff')], { join: { animated: true } })
      .gif()
      .toBuffer();
    expect((await sharp(animated, { pages: -1 }).metadata()).pages).toBe(2);
    const { panorama, stitched } = await tileAndStitch(animated);
    expect(panorama).toMatchObject({ format: 'gif', width: WIDTH, height: HEIGHT });
    expect([...stitched.subarray(0, 4)]).toEqual([255, 0, 0, 255]); // the first frame: red
  });

  it('tiles an AVIF as libvips decodes it', async () => {
    const avif = await sharp(await makeJpeg(WIDTH, HEIGHT, 95))
      .avif({ quality: 80 })
      .toBuffer();
    const { panorama, stitched } = await tileAndStitch(avif);
    expect(panorama).toMatchObject({ format: 'avif', contentType: 'image/avif' });
    expect(psnr(stitched, await sharp(avif).ensureAlpha().raw().toBuffer())).toBeGreaterThan(45);
  });

  it.each([
    ['16-bit PNG', (s: Sharp) => s.toColourspace('rgb16').png()],
    ['16-bit TIFF', (s: Sharp) => s.toColourspace('rgb16').tiff({ compression: 'lzw' })],
  ])('tiles a %s as 8-bit', async (_, encode) => {
    const rgba = await source();
    const png = await sharp(rgba, { raw: { width: WIDTH, height: HEIGHT, channels: 4 } })
      .png()
      .toBuffer();
    const sixteen = await encode(sharp(png)).toBuffer();
    expect((await sharp(sixteen).metadata()).depth).toBe('ushort');
    const { stitched } = await tileAndStitch(sixteen);
    expect(psnr(stitched, rgba)).toBeGreaterThan(45);
  });

  it.each([
    ['CMYK JPEG', (s: Sharp) => s.toColourspace('cmyk').jpeg({ quality: 95 })],
    ['CMYK TIFF', (s: Sharp) => s.toColourspace('cmyk').tiff()],
  ])('tiles a %s in sRGB with its colours', async (_, encode) => {
    // Left half pure red, right half pure blue, in sRGB; stored as CMYK.
    const rgb = Buffer.alloc(WIDTH * HEIGHT * 3);
    for (let i = 0; i < WIDTH * HEIGHT; i++) rgb.set(i % WIDTH < WIDTH / 2 ? [255, 0, 0] : [0, 0, 255], i * 3);
    const cmyk = await encode(sharp(rgb, { raw: { width: WIDTH, height: HEIGHT, channels: 3 } })).toBuffer();
    expect((await sharp(cmyk).metadata()).space).toBe('cmyk');
    const { stitched } = await tileAndStitch(cmyk);
    const at = (x: number, y: number) => [...stitched.subarray((y * WIDTH + x) * 4, (y * WIDTH + x) * 4 + 3)];
    const [r1, g1, b1] = at(50, 150);
    const [r2, g2, b2] = at(550, 150);
    // CMYK holds less than sRGB's gamut: near the primaries, not on them.
    expect(r1).toBeGreaterThan(180);
    expect(Math.max(g1, b1)).toBeLessThan(90);
    expect(b2).toBeGreaterThan(120);
    expect(Math.max(r2, g2)).toBeLessThan(110);
  });
});

it('renders 16-bit and CMYK sources as 8-bit sRGB through the compress route', async () => {
  const rgb = await sharp(await source(), { raw: { width: WIDTH, height: HEIGHT, channels: 4 } })
    .removeAlpha()
    .png()
    .toBuffer();
  const inputs = [
    await sharp(rgb).toColourspace('rgb16').png().toBuffer(),
    await sharp(rgb).toColourspace('cmyk').jpeg({ quality: 95 }).toBuffer(),
  ];
  for (const input of inputs) {
    const response = await compressTo300PxPng(input, 'deep.png');
    const out = Buffer.from(await response.arrayBuffer());
    expect(await sharp(out).metadata()).toMatchObject({ depth: 'uchar', space: 'srgb', width: 300 });
    // As libvips converts the source itself (CMYK without a profile loses some colour both ways).
    const expected = await sharp(input)
      .resize(300, 150, { fit: 'fill' })
      .toColourspace('srgb')
      .ensureAlpha()
      .raw()
      .toBuffer();
    expect(psnr(await sharp(out).ensureAlpha().raw().toBuffer(), expected)).toBeGreaterThan(40);
  }
});

it('refuses a HEIC with 415 naming the format and what to do', async () => {
  const response = fromClient(await upload(owner.client, heicHeader(), { filename: 'IMG_0001.HEIC' }));
  const problem = expectProblem(response, 415, 'UNSUPPORTED_MEDIA_TYPE');
  expect(problem).toMatchObject({ format: 'HEIC' });
  expect(problem.detail).toMatch(/HEIC.*HEVC.*JPEG or AVIF/);
});
