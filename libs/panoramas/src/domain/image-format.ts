/** The only image formats Tessera accepts. The bytes decide, never the name or Content-Type. */
export const IMAGE_FORMATS = ['jpeg', 'png', 'webp', 'tiff', 'bmp', 'gif', 'avif'] as const;
export type ImageFormat = (typeof IMAGE_FORMATS)[number];

/** The accepted formats as people name them, for messages and descriptions. */
export const IMAGE_FORMAT_NAMES = 'JPEG, PNG, WebP, TIFF, BMP, GIF or AVIF';

export const CONTENT_TYPES: Record<ImageFormat, string> = {
  jpeg: 'image/jpeg',
  png: 'image/png',
  webp: 'image/webp',
  tiff: 'image/tiff',
  bmp: 'image/bmp',
  gif: 'image/gif',
  avif: 'image/avif',
};

export const EXTENSIONS: Record<ImageFormat, string> = {
  jpeg: 'jpg',
  png: 'png',
  webp: 'webp',
  tiff: 'tif',
  bmp: 'bmp',
  gif: 'gif',
  avif: 'avif',
};

/** How many leading bytes sniffImageFormat needs. */
export const SNIFF_BYTES = 64;

const startsWith = (head: Uint8Array, bytes: number[], offset = 0) => bytes.every((b, i) => head[offset + i] === b);

/** ISO base media (HEIF) brands: the file's major and compatible brands from its `ftyp` box. */
function heifBrands(head: Uint8Array): string[] {
  if (!startsWith(head, [0x66, 0x74, 0x79, 0x70], 4)) return [];
  const view = new DataView(head.buffer, head.byteOffset, head.byteLength);
  const boxEnd = Math.min(view.getUint32(0), head.length);
  const brand = (at: number) => String.fromCharCode(...head.subarray(at, at + 4));
  const brands = [brand(8)];
  for (let at = 16; at + 4 <= boxEnd; at += 4) brands.push(brand(at));
  return brands;
}

const AVIF_BRANDS = ['avif', 'avis'];
const HEVC_BRANDS = ['heic', 'heix', 'heim', 'heis', 'hevc', 'hevx', 'hevm', 'hevs'];

/**
 * Identifies an image by its magic number: JPEG FF D8 FF; PNG's 8-byte signature;
 * RIFF....WEBP; TIFF II*\0 / MM\0* (and BigTIFF II+\0 / MM\0+); BM with zero reserved words
 * and a known info header size; GIF87a / GIF89a; an ISO `ftyp` box with an AVIF brand.
 * Anything else is null.
 */
export function sniffImageFormat(head: Uint8Array): ImageFormat | null {
  if (startsWith(head, [0xff, 0xd8, 0xff])) return 'jpeg';
  if (startsWith(head, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'png';
  if (startsWith(head, [0x52, 0x49, 0x46, 0x46]) && startsWith(head, [0x57, 0x45, 0x42, 0x50], 8)) return 'webp';
  if (startsWith(head, [0x49, 0x49, 0x2a, 0x00]) || startsWith(head, [0x4d, 0x4d, 0x00, 0x2a])) return 'tiff';
  if (startsWith(head, [0x49, 0x49, 0x2b, 0x00]) || startsWith(head, [0x4d, 0x4d, 0x00, 0x2b])) return 'tiff';
  if (isBmp(head)) return 'bmp';
  if (startsWith(head, [0x47, 0x49, 0x46, 0x38]) && [0x37, 0x39].includes(head[4]) && head[5] === 0x61) return 'gif';
  if (heifBrands(head).some((b) => AVIF_BRANDS.includes(b))) return 'avif';
  return null;
}

/**
 * Formats recognised by their bytes that Tessera cannot decode, by the name people know them
 * by: HEIC (HEVC in HEIF, what phones write). The prebuilt libvips in sharp decodes AV1
 * (AVIF) but carries no HEVC decoder (HEVC is patent-encumbered).
 */
export function sniffUndecodableFormat(head: Uint8Array): string | null {
  const brands = heifBrands(head);
  if (brands.some((b) => HEVC_BRANDS.includes(b)) && !brands.some((b) => AVIF_BRANDS.includes(b))) return 'HEIC';
  return null;
}

/** "BM", reserved words zero, an info header size some writer uses. */
function isBmp(head: Uint8Array): boolean {
  if (head.length < 18 || !startsWith(head, [0x42, 0x4d])) return false;
  const view = new DataView(head.buffer, head.byteOffset, head.byteLength);
  return view.getUint32(6, true) === 0 && [12, 40, 52, 56, 64, 108, 124].includes(view.getUint32(14, true));
}
