import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { type BmpOptions, encodeBmp, type Pixels } from '#testing';
import './sharp-policy.js';
import { BmpError, convertBmp, decodableFile, readBmpHeader } from './bmp.js';

/** The bitmap reader against hand-made files (the format's own examples) and every variant written. */
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tessera-bmp-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

let n = 0;
async function decode(bytes: Buffer): Promise<{ data: Buffer; width: number; height: number; channels: number }> {
  const path = join(dir, `in-${++n}.bmp`);
  await writeFile(path, bytes);
  const out = join(dir, `out-${n}.v`);
  await convertBmp(path, out);
  // Read back through libvips, as the tiler and the renderers read it.
  const { data, info } = await sharp(out).raw().toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height, channels: info.channels };
}

/** A 16-bit little-endian info header + palette + data, by hand. */
function handMade(
  width: number,
  height: number,
  bitCount: number,
  compression: number,
  palette: number[][],
  data: number[],
) {
  const info = Buffer.alloc(40);
  info.writeUInt32LE(40, 0);
  info.writeInt32LE(width, 4);
  info.writeInt32LE(height, 8);
  info.writeUInt16LE(1, 12);
  info.writeUInt16LE(bitCount, 14);
  info.writeUInt32LE(compression, 16);
  info.writeUInt32LE(palette.length, 32);
  const pal = Buffer.from(palette.flatMap(([r, g, b]) => [b, g, r, 0]));
  const offset = 14 + 40 + pal.length;
  const file = Buffer.alloc(14);
  file.write('BM', 0, 'latin1');
  file.writeUInt32LE(offset + data.length, 2);
  file.writeUInt32LE(offset, 10);
  return Buffer.concat([file, info, pal, Buffer.from(data)]);
}

it('reads the classic 2x2 24-bit example: rows bottom-up, BGR, padded to 4 bytes', async () => {
  // Bottom row red, white; top row blue, green.
  const bmp = handMade(2, 2, 24, 0, [], [0, 0, 255, 255, 255, 255, 0, 0, 255, 0, 0, 0, 255, 0, 0, 0]);
  const { data, channels } = await decode(bmp);
  expect(channels).toBe(3);
  expect([...data]).toEqual([0, 0, 255, 0, 255, 0, 255, 0, 0, 255, 255, 255]);
});

it("expands the RLE8 example of the format's documentation, deltas and absolute runs included", async () => {
  // 03 04 | 05 06 | 00 03 45 56 67 00 | 02 78 | 00 02 05 01 | 02 78 | 00 00 | 09 1E | 00 01
  const rle = [3, 4, 5, 6, 0, 3, 0x45, 0x56, 0x67, 0, 2, 0x78, 0, 2, 5, 1, 2, 0x78, 0, 0, 9, 0x1e, 0, 1];
  const grey = [...Array(256).keys()].map((i) => [i, i, i]);
  const { data, width, height } = await decode(handMade(20, 3, 8, 1, grey, rle));
  expect([width, height]).toEqual([20, 3]);
  const row = (y: number) => [...Array(20).keys()].map((x) => data[(y * 20 + x) * 3]);
  const z = (k: number) => Array<number>(k).fill(0);
  expect(row(2)).toEqual([4, 4, 4, 6, 6, 6, 6, 6, 0x45, 0x56, 0x67, 0x78, 0x78, ...z(7)]); // bottom row
  expect(row(1)).toEqual([...z(18), 0x78, 0x78]); // after the delta: 5 right, 1 up
  expect(row(0)).toEqual([...Array<number>(9).fill(0x1e), ...z(11)]);
});

/** An image of few colours (so that 1-, 4- and 8-bit palettes hold it), with alpha. */
function sample(width: number, height: number, colours: number): Pixels {
  const data = Buffer.alloc(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      // Runs and single pixels both, so RLE uses encoded and absolute modes.
      const c = (Math.floor(x / (1 + (y % 5))) + y) % colours;
      data.set([(c * 53) & 0xf8, (c * 101) & 0xfc, (c * 197) & 0xf8, 64 + ((x * 7) % 192)], (y * width + x) * 4);
    }
  }
  return { width, height, data };
}

it.each<[string, BmpOptions, number]>([
  ['1-bit', { bitCount: 1 }, 2],
  ['4-bit', { bitCount: 4 }, 16],
  ['8-bit', { bitCount: 8 }, 200],
  ['8-bit OS/2 core header', { bitCount: 8, infoSize: 12 }, 60],
  ['RLE4', { bitCount: 4, rle: true }, 16],
  ['RLE8', { bitCount: 8, rle: true }, 200],
  ['16-bit 565 bit fields', { bitCount: 16 }, 1000],
  ['24-bit', { bitCount: 24 }, 1000],
  ['24-bit top-down', { bitCount: 24, topDown: true }, 1000],
  ['32-bit', { bitCount: 32 }, 1000],
  ['32-bit with alpha (V5 header)', { bitCount: 32, alpha: true }, 1000],
  ['32-bit with alpha, top-down', { bitCount: 32, alpha: true, topDown: true }, 1000],
])('reads a %s bitmap pixel for pixel', async (_, options, colours) => {
  // Odd sizes: rows need padding, 1- and 4-bit rows end mid-byte.
  const image = sample(37, 23, colours);
  const { data, channels, width, height } = await decode(encodeBmp(image, options));
  expect([width, height]).toEqual([37, 23]);
  expect(channels).toBe(options.alpha ? 4 : 3);
  for (let i = 0; i < 37 * 23; i++) {
    const expected = [...image.data.subarray(i * 4, i * 4 + channels)];
    const got = [...data.subarray(i * channels, (i + 1) * channels)];
    // 565 keeps 5, 6, 5 bits (the sample's colours are on those steps), scaled back to 0..255.
    const near = got.every((v, k) => Math.abs(v - expected[k]) <= (options.bitCount === 16 ? 7 : 0));
    if (!near) throw new Error(`pixel ${i}: ${got.join()} for ${expected.join()}`);
  }
});

it('reads a large bitmap in blocks: rows in order across block boundaries', async () => {
  // 24-bit, 3000 x 1500 (13.5 MB of pixels: four blocks), a gradient whose rows differ.
  const width = 3000;
  const height = 1500;
  const data = Buffer.alloc(width * height * 4);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) data.set([y & 255, y >> 8, x & 255, 255], (y * width + x) * 4);
  const decoded = await decode(encodeBmp({ width, height, data }, { bitCount: 24 }));
  for (const y of [0, 1, 699, 700, 1398, 1399, 1400, 1499]) {
    const at = (y * width + 17) * 3;
    expect([...decoded.data.subarray(at, at + 3)]).toEqual([y & 255, y >> 8, 17]);
  }
});

describe('hostile bitmaps', () => {
  const valid = () => encodeBmp(sample(16, 8, 16), { bitCount: 8 });
  const convert = async (bytes: Buffer) => {
    const path = join(dir, `hostile-${++n}.bmp`);
    await writeFile(path, bytes);
    const out = join(dir, `hostile-${n}.v`);
    try {
      await convertBmp(path, out);
    } catch (error) {
      // Nothing half-written is left behind.
      expect((await readdir(dir)).filter((f) => f === `hostile-${n}.v`)).toEqual([]);
      throw error;
    }
  };

  it('refuses a palette cut short by the end of the file', async () => {
    await expect(convert(valid().subarray(0, 14 + 40 + 20))).rejects.toThrow(/palette/);
  });

  it('refuses pixel data shorter than its header says', async () => {
    await expect(convert(valid().subarray(0, valid().length - 5))).rejects.toThrow(/cut short/);
  });

  it('refuses an RLE run past the end of its row, or past the last row, or data without an end', async () => {
    const grey = [...Array(4).keys()].map((i) => [i, i, i]);
    await expect(convert(handMade(4, 2, 8, 1, grey, [5, 1, 0, 1]))).rejects.toThrow(/past the end of row/);
    await expect(convert(handMade(4, 2, 8, 1, grey, [0, 4, 1, 1, 1, 1, 0, 1]))).resolves.toBeUndefined();
    await expect(convert(handMade(4, 1, 8, 1, grey, [0, 0, 0, 0, 2, 1, 0, 1]))).rejects.toThrow(/past the last row/);
    await expect(convert(handMade(4, 2, 8, 1, grey, [2, 1, 0, 0]))).rejects.toThrow(/end-of-bitmap/);
    await expect(convert(handMade(4, 2, 8, 1, grey, [0, 2, 9, 0, 0, 1]))).rejects.toThrow(/delta/);
  });

  it('refuses odd headers: planes, sizes, compressions, masks', async () => {
    const set = (at: number, write: (b: Buffer) => void) => {
      const b = valid();
      write(b.subarray(at));
      return b;
    };
    await expect(convert(set(26, (b) => b.writeUInt16LE(3)))).rejects.toThrow(/planes/);
    await expect(convert(set(18, (b) => b.writeInt32LE(0)))).rejects.toThrow(/size/);
    await expect(convert(set(30, (b) => b.writeUInt32LE(4)))).rejects.toThrow(/compression 4/); // embedded JPEG
    await expect(convert(set(22, (b) => b.writeInt32LE(-8)))).resolves.toBeUndefined(); // top-down 8-bit is fine
    const rleTopDown = handMade(4, 2, 8, 1, [[0, 0, 0]], [0, 0, 0, 1]);
    rleTopDown.writeInt32LE(-2, 22);
    await expect(convert(rleTopDown)).rejects.toThrow(/top-down/);
    const masks = encodeBmp(sample(4, 4, 4), { bitCount: 16 });
    masks.writeUInt32LE(0xf0f0, 54); // a red mask in two pieces
    await expect(convert(masks)).rejects.toThrow(/one run of bits/);
  });

  it('reads a header claiming 65535 x 65535 without allocating for it (the probe refuses the size)', async () => {
    const claim = valid();
    claim.writeInt32LE(65535, 18);
    claim.writeInt32LE(65535, 22);
    const path = join(dir, 'claim.bmp');
    await writeFile(path, claim);
    const header = await readBmpHeader(path);
    expect([header.width, header.height]).toEqual([65535, 65535]);
    await expect(convertBmp(path, join(dir, 'claim.v'))).rejects.toBeInstanceOf(BmpError);
  });

  it('stops converting when its signal aborts', async () => {
    const path = join(dir, 'stop.bmp');
    await writeFile(path, encodeBmp(sample(64, 64, 16), { bitCount: 24 }));
    const signal = AbortSignal.abort(new Error('client left'));
    await expect(convertBmp(path, join(dir, 'stop.v'), { signal })).rejects.toThrow('client left');
  });
});

it('hands other images through untouched', async () => {
  const path = join(dir, 'plain.png');
  await writeFile(
    path,
    await sharp({ create: { width: 4, height: 4, channels: 3, background: '#123' } })
      .png()
      .toBuffer(),
  );
  expect(await decodableFile(path, join(dir, 'unused.v'))).toBe(path);
});
