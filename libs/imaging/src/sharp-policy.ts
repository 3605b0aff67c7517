import './vips-environment.js';
import sharp from 'sharp';

/*
 * sharp's process-wide policy, applied once by importing this module (every sharp user in
 * this lib does, the isolated render process too).
 *
 * Every libvips loader is blocked except JPEG, PNG, WebP and TIFF (file, buffer and stream
 * variants). SVG, PDF, HEIF, GIF, JPEG 2000, raw formats... never reach a decoder.
 */
const ALLOWED_LOADERS = ['Jpeg', 'Png', 'Webp', 'Tiff'].flatMap((f) =>
  ['File', 'Buffer', 'Source'].map((v) => `VipsForeignLoad${f}${v}`),
);
sharp.block({ operation: ['VipsForeignLoad'] });
sharp.unblock({ operation: ALLOWED_LOADERS });
// A server decodes each image once: libvips' operation cache only holds memory.
sharp.cache(false);
