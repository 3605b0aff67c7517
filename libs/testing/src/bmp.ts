/**
 * A BMP writer for tests: the variants scanners and Windows tools write, from RGB(A) pixels.
 * Independent of the decoder in libs/imaging (written from the format description, and
 * checked against hand-made files in its spec).
 */
export interface BmpOptions {
  bitCount: 1 | 4 | 8 | 16 | 24 | 32;
  /** RLE8 (8 bits) or RLE4 (4 bits). */
  rle?: boolean;
  topDown?: boolean;
  /** 12: OS/2 BITMAPCOREHEADER; 40: BITMAPINFOHEADER; 124: BITMAPV5HEADER. */
  infoSize?: 12 | 40 | 124;
  /** 32 bits only: write the alpha channel with an alpha bit mask (V5 header). */
  alpha?: boolean;
}

export interface Pixels {
  width: number;
  height: number;
  /** RGBA, 4 bytes a pixel, top row first. */
  data: Buffer;
}

export function encodeBmp(image: Pixels, options: BmpOptions): Buffer {
  const { width, height, data } = image;
  const { bitCount, rle = false, topDown = false, alpha = false } = options;
  const infoSize = options.infoSize ?? (alpha ? 124 : 40);
  const core = infoSize === 12;
  const bitfields = alpha || bitCount === 16;
  const rgba = (x: number, y: number) => data.subarray((y * width + x) * 4, (y * width + x) * 4 + 4);

  // Palette for 1, 4, 8 bits: the image's colours, in order of first use.
  const palette: number[] = [];
  const indexOf = new Map<number, number>();
  const index = (x: number, y: number) => {
    const [r, g, b] = rgba(x, y);
    const key = (r << 16) | (g << 8) | b;
    let i = indexOf.get(key);
    if (i === undefined) {
      i = palette.length;
      if (i >= 1 << bitCount) throw new Error(`more than ${1 << bitCount} colours for ${bitCount} bits`);
      palette.push(key);
      indexOf.set(key, i);
    }
    return i;
  };
  const rows: Buffer[] = [];
  const order = [...Array(height).keys()].map((i) => (topDown ? i : height - 1 - i));
  for (const y of order) {
    if (rle) continue;
    const stride = Math.floor((bitCount * width + 31) / 32) * 4;
    const row = Buffer.alloc(stride);
    for (let x = 0; x < width; x++) {
      const [r, g, b, a] = rgba(x, y);
      if (bitCount <= 8) {
        const perByte = 8 / bitCount;
        row[Math.floor(x / perByte)] |= index(x, y) << (8 - bitCount * ((x % perByte) + 1));
      } else if (bitCount === 16) {
        row.writeUInt16LE(((r >> 3) << 11) | ((g >> 2) << 5) | (b >> 3), x * 2); // 565
      } else if (bitCount === 24) {
        row.set([b, g, r], x * 3);
      } else {
        row.set([b, g, r, alpha ? a : 0], x * 4);
      }
    }
    rows.push(row);
  }
  if (rle) rows.push(encodeRle(width, order, (x, y) => index(x, y), bitCount === 4));

  const masks = bitfields
    ? Buffer.from(
        new Uint32Array(bitCount === 16 ? [0xf800, 0x07e0, 0x001f, 0] : [0xff0000, 0xff00, 0xff, 0xff000000]).buffer,
      )
    : Buffer.alloc(0);
  const entry = core ? 3 : 4;
  const paletteBytes = Buffer.alloc(bitCount <= 8 ? palette.length * entry : 0);
  palette.forEach((c, i) => paletteBytes.set([c & 255, (c >> 8) & 255, c >> 16], i * entry));
  const pixels = Buffer.concat(rows);
  const info = Buffer.alloc(infoSize);
  info.writeUInt32LE(infoSize, 0);
  if (core) {
    info.writeUInt16LE(width, 4);
    info.writeUInt16LE(height, 6);
    info.writeUInt16LE(1, 8);
    info.writeUInt16LE(bitCount, 10);
  } else {
    info.writeInt32LE(width, 4);
    info.writeInt32LE(topDown ? -height : height, 8);
    info.writeUInt16LE(1, 12);
    info.writeUInt16LE(bitCount, 14);
    info.writeUInt32LE(rle ? (bitCount === 8 ? 1 : 2) : bitfields ? 3 : 0, 16);
    info.writeUInt32LE(pixels.length, 20);
    info.writeUInt32LE(bitCount <= 8 ? palette.length : 0, 32);
    if (infoSize >= 56) masks.copy(info, 40); // masks inside V4/V5 headers
  }
  const afterInfo = infoSize === 40 ? masks.subarray(0, 12) : Buffer.alloc(0);
  const offset = 14 + infoSize + afterInfo.length + paletteBytes.length;
  const file = Buffer.alloc(14);
  file.write('BM', 0, 'latin1');
  file.writeUInt32LE(offset + pixels.length, 2);
  file.writeUInt32LE(offset, 10);
  return Buffer.concat([file, info, afterInfo, paletteBytes, pixels]);
}

/** RLE8/RLE4 rows (bottom first): runs of one index, absolute runs for varied stretches, EOL, EOB. */
function encodeRle(width: number, order: number[], index: (x: number, y: number) => number, four: boolean): Buffer {
  const out: number[] = [];
  for (const y of order) {
    let x = 0;
    while (x < width) {
      let run = 1;
      while (x + run < width && run < 255 && index(x + run, y) === index(x, y)) run++;
      if (run >= 3 || width - x < 3) {
        const i = index(x, y);
        out.push(run, four ? (i << 4) | i : i);
        x += run;
        continue;
      }
      // Absolute: up to the next run of 3 or more equal indices.
      let count = 0;
      while (x + count < width && count < 255) {
        const i = index(x + count, y);
        if (x + count + 2 < width && index(x + count + 1, y) === i && index(x + count + 2, y) === i) break;
        count++;
      }
      if (count < 3) {
        // Too short for absolute mode: runs of one.
        for (let k = 0; k < count; k++) {
          const i = index(x + k, y);
          out.push(1, four ? i << 4 : i);
        }
        x += count;
        continue;
      }
      const bytes: number[] = [];
      for (let k = 0; k < count; k++) {
        const i = index(x + k, y);
        if (!four) bytes.push(i);
        else if (k % 2 === 0) bytes.push(i << 4);
        else bytes[bytes.length - 1] |= i;
      }
      if (bytes.length % 2) bytes.push(0);
      out.push(0, count, ...bytes);
      x += count;
    }
    out.push(0, 0); // end of line
  }
  out.push(0, 1); // end of bitmap
  return Buffer.from(out);
}
