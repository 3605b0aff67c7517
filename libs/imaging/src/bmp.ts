import { open, rm, type FileHandle } from 'node:fs/promises';
import { SNIFF_BYTES, sniffImageFormat } from '#panoramas/domain';

/*
 * Windows bitmaps (BMP/DIB), which libvips cannot read without ImageMagick. Read here and
 * written as a libvips-native `.v` file (a 64-byte header, then the pixels, top row first),
 * which every part of the pipeline then reads like any other image file.
 *
 * Why by hand: the npm decoders (bmp-js, decode-bmp, bmp-ts) take the whole file in memory
 * and give the whole image back in memory (a 15000 x 65535 bitmap is 2.9 GB of pixels), and
 * most lack RLE. This one reads a block of rows at a time (at most BLOCK_BYTES) and writes
 * each row where it belongs in the output, so a bottom-up file needs no second pass.
 *
 * Read: the BITMAPCOREHEADER (OS/2 1.x, 12 bytes) and BITMAPINFOHEADER to V5 (40, 52, 56,
 * 108, 124 bytes); 1, 4 and 8 bits with a palette; 16 and 32 bits with or without bit
 * fields (an alpha mask makes an RGBA image); 24 bits; RLE8 and RLE4 with their deltas;
 * top-down and bottom-up rows. Refused (BmpError): embedded JPEG/PNG, OS/2 2.x headers,
 * Huffman 1D, CMYK bitmaps, and anything malformed: a header or palette cut short, pixel
 * data shorter than the header says, an RLE run past the end of its row or image.
 */

export class BmpError extends Error {
  constructor(message: string) {
    super(`BMP: ${message}`);
    this.name = 'BmpError';
  }
}

const BI_RGB = 0;
const BI_RLE8 = 1;
const BI_RLE4 = 2;
const BI_BITFIELDS = 3;
const BI_ALPHABITFIELDS = 6;

/** Largest read at once while converting. */
const BLOCK_BYTES = 4 * 1024 * 1024;
/** File header (14) + the largest info header (124) + separate masks (16) + a full palette (1024). */
const HEADER_READ = 14 + 124 + 16 + 256 * 4;
/** The header of a libvips `.v` file. */
const VIPS_HEADER_BYTES = 64;

export interface BmpHeader {
  width: number;
  height: number;
  /** Rows are stored top row first (a negative height in the file). */
  topDown: boolean;
  bitCount: number;
  compression: number;
  /** 3 (RGB) or 4 (RGBA, from an alpha bit mask). */
  channels: 3 | 4;
  /** Where the pixel data starts, and its bytes per row (uncompressed only). */
  dataOffset: number;
  stride: number;
  /** RGB triples, 256 entries (indices past the file's palette are black). */
  palette: Uint8Array;
  masks: { red: number; green: number; blue: number; alpha: number };
  fileBytes: number;
}

/** Reads and checks the headers and the palette of the bitmap at `path`; no pixel is read. */
export async function readBmpHeader(path: string): Promise<BmpHeader> {
  const file = await open(path, 'r');
  try {
    const fileBytes = (await file.stat()).size;
    const head = Buffer.alloc(Math.min(HEADER_READ, fileBytes));
    await file.read(head, 0, head.length, 0);
    return parseBmpHeader(head, fileBytes);
  } finally {
    await file.close();
  }
}

export function parseBmpHeader(head: Buffer, fileBytes: number): BmpHeader {
  const need = (bytes: number, what: string) => {
    if (head.length < bytes) throw new BmpError(`the file ends inside its ${what}`);
  };
  need(18, 'file header');
  if (head.toString('latin1', 0, 2) !== 'BM') throw new BmpError('not a bitmap file');
  const dataOffset = head.readUInt32LE(10);
  const infoSize = head.readUInt32LE(14);
  let width: number, height: number, planes: number, bitCount: number;
  let compression = BI_RGB;
  let colours = 0;
  let entryBytes = 4;
  if (infoSize === 12) {
    need(26, 'info header');
    width = head.readUInt16LE(18);
    height = head.readUInt16LE(20);
    planes = head.readUInt16LE(22);
    bitCount = head.readUInt16LE(24);
    entryBytes = 3;
  } else if ([40, 52, 56, 108, 124].includes(infoSize)) {
    need(14 + infoSize, 'info header');
    width = head.readInt32LE(18);
    height = head.readInt32LE(22);
    planes = head.readUInt16LE(26);
    bitCount = head.readUInt16LE(28);
    compression = head.readUInt32LE(30);
    colours = head.readUInt32LE(46);
  } else {
    throw new BmpError(`an info header of ${infoSize} bytes is not supported`);
  }
  if (planes !== 1) throw new BmpError(`${planes} planes (must be 1)`);
  if (width <= 0 || height === 0 || height === -0x80000000) throw new BmpError(`a size of ${width} x ${height}`);
  const topDown = height < 0;
  height = Math.abs(height);

  const valid =
    (compression === BI_RGB && [1, 4, 8, 16, 24, 32].includes(bitCount)) ||
    (compression === BI_RLE8 && bitCount === 8) ||
    (compression === BI_RLE4 && bitCount === 4) ||
    ((compression === BI_BITFIELDS || compression === BI_ALPHABITFIELDS) && (bitCount === 16 || bitCount === 32));
  if (!valid) throw new BmpError(`compression ${compression} with ${bitCount} bits per pixel is not supported`);
  if (topDown && (compression === BI_RLE8 || compression === BI_RLE4)) {
    throw new BmpError('a top-down bitmap cannot be RLE-compressed');
  }

  // Bit masks: inside V2+ info headers, or right after a 40-byte one.
  let masks = { red: 0, green: 0, blue: 0, alpha: 0 };
  let maskEnd = 14 + infoSize;
  if (compression === BI_BITFIELDS || compression === BI_ALPHABITFIELDS) {
    const count = compression === BI_ALPHABITFIELDS || infoSize >= 56 ? 4 : 3;
    if (infoSize === 40) maskEnd += count * 4;
    need(54 + count * 4, 'bit masks');
    masks = {
      red: head.readUInt32LE(54),
      green: head.readUInt32LE(58),
      blue: head.readUInt32LE(62),
      alpha: count === 4 ? head.readUInt32LE(66) : 0,
    };
    if (bitCount === 16) for (const key of ['red', 'green', 'blue', 'alpha'] as const) masks[key] &= 0xffff;
  } else if (bitCount === 16) {
    masks = { red: 0x7c00, green: 0x03e0, blue: 0x001f, alpha: 0 };
  } else if (bitCount === 32) {
    masks = { red: 0xff0000, green: 0xff00, blue: 0xff, alpha: 0 };
  }
  for (const mask of Object.values(masks)) {
    if (mask !== 0 && !contiguous(mask))
      throw new BmpError(`the bit mask 0x${mask.toString(16)} is not one run of bits`);
  }

  const palette = new Uint8Array(256 * 3);
  if (bitCount <= 8) {
    const max = 1 << bitCount;
    if (colours > max) throw new BmpError(`a palette of ${colours} colours for ${bitCount} bits per pixel`);
    // No count given: a full palette, or as much of one as fits before the pixels (OS/2 writers).
    const count = colours || Math.max(0, Math.min(max, Math.floor((dataOffset - maskEnd) / entryBytes)));
    const end = maskEnd + count * entryBytes;
    need(end, 'palette');
    if (end > dataOffset) throw new BmpError('the palette runs into the pixel data');
    for (let i = 0; i < count; i++) {
      const at = maskEnd + i * entryBytes;
      palette[i * 3] = head[at + 2];
      palette[i * 3 + 1] = head[at + 1];
      palette[i * 3 + 2] = head[at];
    }
  }
  if (dataOffset < maskEnd || dataOffset >= fileBytes)
    throw new BmpError(`pixel data at ${dataOffset} is outside the file`);
  const stride = Math.floor((bitCount * width + 31) / 32) * 4;
  return {
    width,
    height,
    topDown,
    bitCount,
    compression,
    channels: masks.alpha !== 0 ? 4 : 3,
    dataOffset,
    stride,
    palette,
    masks,
    fileBytes,
  };
}

/**
 * Checks what can be checked without decoding: uncompressed pixel data must be all there.
 * (RLE data is checked as it is decoded.)
 */
export function checkBmpData(header: BmpHeader): void {
  if (header.compression === BI_RLE8 || header.compression === BI_RLE4) return;
  const end = header.dataOffset + header.stride * header.height;
  if (end > header.fileBytes) {
    throw new BmpError(`the pixel data is cut short: ${header.fileBytes} bytes, ${end} needed`);
  }
}

export interface BmpConvertOptions {
  /** Checked between blocks of rows: the conversion stops with the signal's reason. */
  signal?: AbortSignal;
}

/**
 * Writes the bitmap at `path` as a libvips `.v` file at `out` (upright, RGB or RGBA, 8 bits)
 * reading at most BLOCK_BYTES at once. On any failure `out` is removed.
 */
export async function convertBmp(path: string, out: string, options: BmpConvertOptions = {}): Promise<BmpHeader> {
  const header = await readBmpHeader(path);
  checkBmpData(header);
  const input = await open(path, 'r');
  let output: FileHandle | undefined;
  try {
    output = await open(out, 'w');
    const rowBytes = header.width * header.channels;
    await output.write(vipsHeader(header), 0, VIPS_HEADER_BYTES, 0);
    // Rows never written (skipped by RLE deltas) read back as zeros: black.
    await output.truncate(VIPS_HEADER_BYTES + rowBytes * header.height);
    const writeRows = (firstRow: number, rows: Buffer) =>
      output!.write(rows, 0, rows.length, VIPS_HEADER_BYTES + firstRow * rowBytes);
    if (header.compression === BI_RLE8 || header.compression === BI_RLE4) {
      await decodeRle(input, header, writeRows, options.signal);
    } else {
      await decodeUncompressed(input, header, writeRows, options.signal);
    }
    await output.close();
    output = undefined;
    return header;
  } catch (error) {
    await output?.close().catch(() => undefined);
    await rm(out, { force: true });
    throw error;
  } finally {
    await input.close();
  }
}

type WriteRows = (firstRow: number, rows: Buffer) => Promise<unknown>;

async function decodeUncompressed(input: FileHandle, h: BmpHeader, write: WriteRows, signal?: AbortSignal) {
  const convert = rowConverter(h);
  const rowBytes = h.width * h.channels;
  const perBlock = Math.max(1, Math.floor(BLOCK_BYTES / Math.max(h.stride, rowBytes)));
  const block = Buffer.alloc(perBlock * h.stride);
  // Blocks go through the file in order; each row lands at its place in the output.
  for (let first = 0; first < h.height; first += perBlock) {
    signal?.throwIfAborted();
    const rows = Math.min(perBlock, h.height - first);
    const { bytesRead } = await input.read(block, 0, rows * h.stride, h.dataOffset + first * h.stride);
    if (bytesRead < rows * h.stride) throw new BmpError('the pixel data is cut short');
    const out = Buffer.alloc(rows * rowBytes);
    for (let i = 0; i < rows; i++) {
      const target = h.topDown ? i : rows - 1 - i;
      convert(
        block.subarray(i * h.stride, (i + 1) * h.stride),
        out.subarray(target * rowBytes, (target + 1) * rowBytes),
      );
    }
    // File rows first..first+rows-1 are image rows (bottom-up) height-first-rows..height-first-1.
    await write(h.topDown ? first : h.height - first - rows, out);
  }
}

/** Converts one stored row to RGB(A). */
function rowConverter(h: BmpHeader): (row: Buffer, out: Buffer) => void {
  const { width, palette, bitCount } = h;
  if (bitCount <= 8) {
    const perByte = 8 / bitCount;
    const mask = (1 << bitCount) - 1;
    return (row, out) => {
      for (let x = 0; x < width; x++) {
        const byte = row[Math.floor(x / perByte)];
        const index = (byte >> (8 - bitCount * ((x % perByte) + 1))) & mask;
        out[x * 3] = palette[index * 3];
        out[x * 3 + 1] = palette[index * 3 + 1];
        out[x * 3 + 2] = palette[index * 3 + 2];
      }
    };
  }
  if (bitCount === 24) {
    return (row, out) => {
      for (let x = 0; x < width; x++) {
        out[x * 3] = row[x * 3 + 2];
        out[x * 3 + 1] = row[x * 3 + 1];
        out[x * 3 + 2] = row[x * 3];
      }
    };
  }
  const channels = h.channels;
  const [red, green, blue, alpha] = [h.masks.red, h.masks.green, h.masks.blue, h.masks.alpha].map(channelOf);
  const read =
    bitCount === 16
      ? (row: Buffer, x: number) => row.readUInt16LE(x * 2)
      : (row: Buffer, x: number) => row.readUInt32LE(x * 4);
  return (row, out) => {
    for (let x = 0; x < width; x++) {
      const value = read(row, x);
      const at = x * channels;
      out[at] = red(value);
      out[at + 1] = green(value);
      out[at + 2] = blue(value);
      if (channels === 4) out[at + 3] = alpha(value);
    }
  };
}

/** A mask's value scaled to 0..255. */
function channelOf(mask: number): (value: number) => number {
  if (mask === 0) return () => 0;
  const low = 31 - Math.clz32(mask & -mask);
  const max = mask >>> low; // 2^bits - 1: the mask is one run of bits
  return (value) => Math.round((((value & mask) >>> low) * 255) / max);
}

function contiguous(mask: number): boolean {
  const low = mask >>> (31 - Math.clz32(mask & -mask));
  return (low & (low + 1)) === 0;
}

/**
 * RLE8 / RLE4, read through in file order (the bottom row first): each row is written to its
 * place when it ends. Runs past the end of a row, rows past the top, and data that ends before
 * its end-of-bitmap mark are errors.
 */
async function decodeRle(input: FileHandle, h: BmpHeader, write: WriteRows, signal?: AbortSignal) {
  const four = h.compression === BI_RLE4;
  const reader = new BlockReader(input, h.dataOffset, h.fileBytes);
  const { width, height, palette } = h;
  let row = Buffer.alloc(width * 3);
  let y = 0; // file row: 0 is the bottom one
  let x = 0;
  const put = (index: number) => {
    row[x * 3] = palette[index * 3];
    row[x * 3 + 1] = palette[index * 3 + 1];
    row[x * 3 + 2] = palette[index * 3 + 2];
    x++;
  };
  const endRow = async () => {
    if (y < height) await write(height - 1 - y, row);
    row = Buffer.alloc(width * 3);
    y++;
    if (y % 256 === 0) signal?.throwIfAborted();
  };
  let ops = 0;
  for (;;) {
    // Also here: ops that move nowhere (empty deltas) would not end rows.
    if (++ops % 65_536 === 0) signal?.throwIfAborted();
    const op = await reader.take(2);
    if (!op) throw new BmpError('the RLE data ends before its end-of-bitmap mark');
    const [count, value] = op;
    if (count > 0) {
      if (y >= height) throw new BmpError('RLE data past the last row');
      if (x + count > width) throw new BmpError(`an RLE run past the end of row ${height - 1 - y}`);
      for (let i = 0; i < count; i++) put(four ? (i % 2 === 0 ? value >> 4 : value & 15) : value);
    } else if (value === 0) {
      await endRow();
      x = 0;
    } else if (value === 1) {
      if (y < height) await write(height - 1 - y, row);
      return;
    } else if (value === 2) {
      const delta = await reader.take(2);
      if (!delta) throw new BmpError('the RLE data ends inside a delta');
      const [dx, dy] = delta;
      for (let i = 0; i < dy; i++) await endRow();
      x += dx;
      if (x > width || (dy > 0 && y > height)) throw new BmpError('an RLE delta moves past the image');
    } else {
      // Absolute mode: `value` pixels stored as they are, padded to a 16-bit boundary.
      const bytes = four ? Math.ceil(value / 2) : value;
      const data = await reader.take(bytes + (bytes % 2));
      if (!data) throw new BmpError('the RLE data ends inside an absolute run');
      if (y >= height) throw new BmpError('RLE data past the last row');
      if (x + value > width) throw new BmpError(`an RLE run past the end of row ${height - 1 - y}`);
      for (let i = 0; i < value; i++) put(four ? (i % 2 === 0 ? data[i >> 1] >> 4 : data[i >> 1] & 15) : data[i]);
    }
  }
}

/** Sequential reads of small pieces through one BLOCK_BYTES buffer. */
class BlockReader {
  private readonly buffer = Buffer.alloc(BLOCK_BYTES);
  private start = 0;
  private end = 0;

  constructor(
    private readonly file: FileHandle,
    private position: number,
    private readonly limit: number,
  ) {}

  /** The next `n` bytes (n <= 256), or null at the end of the file. */
  async take(n: number): Promise<Buffer | null> {
    if (this.end - this.start < n) {
      this.buffer.copy(this.buffer, 0, this.start, this.end);
      this.end -= this.start;
      this.start = 0;
      const want = Math.min(this.buffer.length - this.end, this.limit - this.position);
      if (want > 0) {
        const { bytesRead } = await this.file.read(this.buffer, this.end, want, this.position);
        this.position += bytesRead;
        this.end += bytesRead;
      }
      if (this.end - this.start < n) return null;
    }
    const piece = this.buffer.subarray(this.start, this.start + n);
    this.start += n;
    return piece;
  }
}

/** A libvips `.v` header: size, bands, 8-bit unsigned, uncoded, sRGB. */
function vipsHeader(h: BmpHeader): Buffer {
  const header = Buffer.alloc(VIPS_HEADER_BYTES);
  header.writeUInt32BE(0xb6a6f208, 0); // VIPS_MAGIC_INTEL
  header.writeInt32LE(h.width, 4);
  header.writeInt32LE(h.height, 8);
  header.writeInt32LE(h.channels, 12);
  header.writeInt32LE(8, 16); // bits per band
  header.writeInt32LE(0, 20); // VIPS_FORMAT_UCHAR
  header.writeInt32LE(0, 24); // VIPS_CODING_NONE
  header.writeInt32LE(22, 28); // VIPS_INTERPRETATION_sRGB
  header.writeFloatLE(1, 32); // x resolution, pixels per mm
  header.writeFloatLE(1, 36);
  return header;
}

/**
 * The file libvips should read for the image at `path`: the file itself, or for a bitmap its
 * conversion written to `scratch` (which the caller then removes).
 */
export async function decodableFile(path: string, scratch: string, options: BmpConvertOptions = {}): Promise<string> {
  if (!(await isBmpFile(path))) return path;
  await convertBmp(path, scratch, options);
  return scratch;
}

/** Whether the file at `path` is a bitmap, by its first bytes. */
export async function isBmpFile(path: string): Promise<boolean> {
  const head = Buffer.alloc(SNIFF_BYTES);
  const file = await open(path, 'r');
  try {
    await file.read(head, 0, SNIFF_BYTES, 0);
  } finally {
    await file.close();
  }
  return sniffImageFormat(head) === 'bmp';
}
