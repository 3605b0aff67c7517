import './vips-environment.js';
import sharp from 'sharp';

/*
 * sharp's process-wide policy, applied once by importing this module (every sharp user in
 * this lib does, the isolated render process too).
 *
 * Every libvips loader is blocked except JPEG, PNG, WebP, TIFF, GIF and HEIF (AVIF: this
 * libvips has no HEVC decoder) in their file, buffer and stream variants, and libvips' own
 * `.v` files, which only bitmaps converted here become (bmp.ts; uploads are judged by their
 * bytes first, and a `.v` upload is refused). SVG, PDF, JPEG 2000, raw formats... never
 * reach a decoder.
 */
const ALLOWED_LOADERS = [
  ...['Jpeg', 'Png', 'Webp', 'Tiff', 'Nsgif', 'Heif'].flatMap((f) =>
    ['File', 'Buffer', 'Source'].map((v) => `VipsForeignLoad${f}${v}`),
  ),
  'VipsForeignLoadVipsFile',
];
sharp.block({ operation: ['VipsForeignLoad'] });
sharp.unblock({ operation: ALLOWED_LOADERS });
// A server decodes each image once: libvips' operation cache only holds memory.
sharp.cache(false);
