import { crc32, deflateSync } from 'node:zlib';
import sharp from 'sharp';

/**
 * Test images made on the spot with sharp (real encoders), plus hand-made headers that lie
 * about their size. Everything is deterministic for a given size.
 */

/** A panorama-like JPEG: a horizontal gradient with some structure, so it compresses like a photo. */
export async function makeJpeg(width: number, height: number, quality = 85): Promise<Buffer> {
  return sharp(gradient(width, height, 3), { raw: { width, height, channels: 3 } })
    .jpeg({ quality })
    .toBuffer();
}

/** An RGBA PNG whose alpha varies across the image. */
export async function makePngWithAlpha(width: number, height: number): Promise<Buffer> {
  return sharp(gradient(width, height, 4), { raw: { width, height, channels: 4 } })
    .png()
    .toBuffer();
}

export async function makeWebp(width: number, height: number): Promise<Buffer> {
  return sharp(gradient(width, height, 3), { raw: { width, height, channels: 3 } })
    .webp()
    .toBuffer();
}

export async function makeTiff(width: number, height: number): Promise<Buffer> {
  return sharp(gradient(width, height, 3), { raw: { width, height, channels: 3 } })
    .tiff()
    .toBuffer();
}

function gradient(width: number, height: number, channels: number): Buffer {
  // Rows written from a per-column table into a typed array of this realm: the same bytes as
  // the plain per-pixel loop, ~100 times faster under jest (a cross-realm Buffer written per
  // pixel took 7 s for 6000x3000).
  const pixels = new Uint8Array(width * height * channels);
  const red = new Uint8Array(width);
  for (let x = 0; x < width; x++) red[x] = (x * 255) / Math.max(1, width - 1);
  for (let y = 0; y < height; y++) {
    const green = (y * 255) / Math.max(1, height - 1);
    let i = y * width * channels;
    for (let x = 0; x < width; x++, i += channels) {
      pixels[i] = red[x];
      pixels[i + 1] = green;
      pixels[i + 2] = (x ^ y) & 0xff;
      if (channels === 4) pixels[i + 3] = 64 + ((x + y) % 192);
    }
  }
  return Buffer.from(pixels.buffer, pixels.byteOffset, pixels.byteLength);
}

function pngChunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

/** A PNG of a few dozen bytes whose header claims `width` x `height` (a pixel-bomb header). */
export function pngClaiming(width: number, height: number): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 0; // greyscale
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', ihdr),
    pngChunk('IDAT', deflateSync(Buffer.alloc(16))),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}

/** A small real JPEG whose SOF header is rewritten to claim `width` x `height`. */
export async function jpegClaiming(width: number, height: number): Promise<Buffer> {
  const jpeg = Buffer.from(await makeJpeg(16, 16));
  for (let i = 2; i < jpeg.length - 9; i++) {
    if (jpeg[i] === 0xff && jpeg[i + 1] >= 0xc0 && jpeg[i + 1] <= 0xc2) {
      jpeg.writeUInt16BE(height, i + 5);
      jpeg.writeUInt16BE(width, i + 7);
      return jpeg;
    }
  }
  throw new Error('no SOF marker found');
}

/** A real, tiny-on-disk greyscale PNG with `width` x `height` pixels (a deflate bomb). */
export async function pngBomb(width: number, height: number): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 3, background: '#000' } })
    .greyscale()
    .png({ compressionLevel: 9 })
    .toBuffer();
}

/** Bytes of other file types, for "renamed to .jpg" attacks. */
export const FOREIGN_FILES: Record<string, Buffer> = {
  zip: Buffer.concat([Buffer.from('PK\x03\x04', 'latin1'), Buffer.alloc(60, 1)]),
  elf: Buffer.concat([Buffer.from('\x7fELF\x02\x01\x01', 'latin1'), Buffer.alloc(60)]),
  pdf: Buffer.from('%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n'),
  html: Buffer.from('<!doctype html><html><body><script>alert(1)</script></body></html>'),
  svg: Buffer.from(
    '<svg xmlns="http://www.w3.org/2000/svg" width="100000" height="100000"><rect width="1" height="1"/></svg>',
  ),
  // A libvips native file: its loader is open to the bitmaps converted here, never to uploads.
  vips: Buffer.concat([Buffer.from([0xb6, 0xa6, 0xf2, 0x08, 1, 0, 0, 0, 1, 0, 0, 0, 3, 0, 0, 0]), Buffer.alloc(60)]),
  // HEIC (HEVC in HEIF, as phones write): recognised, refused by name.
  heic: heicHeader(),
};

/** The start of a HEIC file: an ftyp box with the heic brand, then a meta box. */
export function heicHeader(): Buffer {
  const ftyp = Buffer.concat([Buffer.from([0, 0, 0, 24]), Buffer.from('ftypheic\0\0\0\0mif1heic', 'latin1')]);
  return Buffer.concat([ftyp, Buffer.from([0, 0, 0, 40]), Buffer.from('meta', 'latin1'), Buffer.alloc(64)]);
}

/** A large JPEG that compresses (and tiles) like a busy photo: upscaled noise. */
export async function makeNoisyJpeg(width: number, height: number, quality = 92): Promise<Buffer> {
  const small = await sharp({
    create: {
      width: Math.ceil(width / 4),
      height: Math.ceil(height / 4),
      channels: 3,
      background: '#808080',
      noise: { type: 'gaussian', mean: 128, sigma: 50 },
    },
  })
    .png()
    .toBuffer();
  return sharp(small).resize(width, height, { kernel: 'nearest' }).jpeg({ quality }).toBuffer();
}

/**
 * A JPEG stored sideways (`storedWidth` x `storedHeight` pixels) with EXIF orientation 6
 * (display: turned 90° clockwise), a camera make and a GPS position. Its stored top-left
 * corner is a 1/10-size blue square on red: upright, the blue is at the top right.
 */
export async function makeSidewaysJpeg(storedWidth: number, storedHeight: number): Promise<Buffer> {
  const marker = Math.max(1, Math.round(Math.min(storedWidth, storedHeight) / 10));
  return sharp({ create: { width: storedWidth, height: storedHeight, channels: 3, background: '#ff0000' } })
    .composite([
      { input: { create: { width: marker, height: marker, channels: 3, background: '#0000ff' } }, left: 0, top: 0 },
    ])
    .jpeg({ quality: 90 })
    .withExif({ IFD0: { Make: 'Tessera Test Camera' }, IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '48/1 51/1 0/1' } })
    .withMetadata({ orientation: 6 })
    .toBuffer();
}

/**
 * A 4096x2048 equirectangular JPEG, red everywhere but a blue band of longitudes (a quarter
 * of the width) around the image's centre, which is where a sphere viewer looks at yaw 0:
 * blue ahead, red behind.
 */
export function bandedSphereJpeg(): Promise<Buffer> {
  const [w, h] = [4096, 2048];
  const band = { create: { width: w / 4, height: h, channels: 3 as const, background: '#1e1edc' } };
  return sharp({ create: { width: w, height: h, channels: 3, background: '#dc1e1e' } })
    .composite([{ input: band, left: (3 * w) / 8, top: 0 }])
    .jpeg({ quality: 90 })
    .toBuffer();
}

/**
 * A flat-colour baseline JPEG of any size (up to 65,535 a side), made in milliseconds where
 * an encoder takes seconds per hundred megapixels: libvips encodes one 8-pixel-high strip
 * (4:4:4, so one row of 8x8 blocks), and the strip's entropy-coded data is repeated once per
 * block row behind restart markers, which reset the decoder's DC prediction, so every copy
 * decodes the same. The frame header is given the full height and a restart interval of one
 * block row. Any decoder reads it as an ordinary JPEG of `width` x `height`.
 */
export async function flatJpeg(
  width: number,
  height: number,
  colour: { r: number; g: number; b: number },
): Promise<Buffer> {
  if (height % 8 !== 0) throw new Error('flatJpeg: the height must be a multiple of 8');
  const strip = await sharp({ create: { width, height: 8, channels: 3, background: colour } })
    .jpeg({ quality: 50, chromaSubsampling: '4:4:4' })
    .toBuffer();
  // Walk the marker segments up to the start of scan.
  let at = 2;
  let frame = -1;
  while (strip[at] === 0xff && strip[at + 1] !== 0xda) {
    const marker = strip[at + 1];
    if (marker === 0xdd || marker === 0xc2) throw new Error('flatJpeg: expected a baseline JPEG without restarts');
    if (marker === 0xc0) frame = at;
    at += 2 + strip.readUInt16BE(at + 2);
  }
  if (frame < 0 || strip[at + 1] !== 0xda) throw new Error('flatJpeg: no baseline frame or scan found');
  const scanData = at + 2 + strip.readUInt16BE(at + 2);
  if (strip.readUInt16BE(strip.length - 2) !== 0xffd9) throw new Error('flatJpeg: the strip does not end in EOI');
  const headers = Buffer.from(strip.subarray(0, at));
  headers.writeUInt16BE(height, frame + 5);
  const blocksPerRow = Math.ceil(width / 8);
  const restartInterval = Buffer.from([0xff, 0xdd, 0x00, 0x04, blocksPerRow >> 8, blocksPerRow & 0xff]);
  const row = strip.subarray(scanData, strip.length - 2);
  const parts: Buffer[] = [headers, restartInterval, strip.subarray(at, scanData)];
  for (let i = 0; i < height / 8; i++) {
    if (i > 0) parts.push(Buffer.from([0xff, 0xd0 + ((i - 1) % 8)]));
    parts.push(row);
  }
  parts.push(Buffer.from([0xff, 0xd9]));
  return Buffer.concat(parts);
}
