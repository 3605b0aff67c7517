import './sharp-policy.js';
import { Injectable } from '@nestjs/common';
import sharp, { type OverlayOptions, type Sharp } from 'sharp';
import { forEachLimited, type ReadablePyramid } from '#shared-kernel';
import { type IiifImageRequest, PyramidRegionRenderer, type RegionRead, tilesCovering } from '#tiles';

/** Most tiles read at once for one answer. */
const TILE_READS = 8;
const RAW = 4; // channels of the intermediate images: RGBA

/**
 * IIIF answers from a pyramid on sharp.
 *
 * The common case, what viewers ask of a default tile set (JPEG tiles without overlap, no
 * rotation), is one libvips pipeline: the covering tiles joined on their grid (`join`:
 * libvips' arrayjoin, each tile in a cell of the grid's size), the region extracted, scaled,
 * mirrored, the quality applied and encoded, decoding only what the region needs
 * (`npm run bench:iiif-peer`: a 3000x3000 region at `!512,512` took 4.3x IIPImage's CPU in
 * four pipelines).
 *
 * Otherwise (tiles with overlap or alpha, a rotation) in three steps, so that their order is
 * the specification's whatever sharp's own pipeline order: (1) the covering tiles of one level
 * cropped to the region and put together, (2) scaled to the asked size and mirrored, (3)
 * rotated, quality applied, encoded. Intermediate images are raw RGBA of at most the answer's
 * size times four (the level read is less than twice as detailed as the answer per side).
 */
@Injectable()
export class SharpRegionRenderer extends PyramidRegionRenderer {
  render(
    pyramid: ReadablePyramid,
    read: RegionRead,
    request: IiifImageRequest,
    options: { signal: AbortSignal; timeout: number },
  ): Promise<Buffer> {
    return pyramid.overlap === 0 && pyramid.format === 'jpeg' && request.rotation === 0
      ? this.renderJoined(pyramid, read, request, options)
      : this.renderInSteps(pyramid, read, request, options);
  }

  /** One pipeline: the covering tiles joined, the region cut, scaled, mirrored, encoded. */
  async renderJoined(
    pyramid: ReadablePyramid,
    read: RegionRead,
    request: IiifImageRequest,
    { signal, timeout }: { signal: AbortSignal; timeout: number },
  ): Promise<Buffer> {
    const started = performance.now();
    const covering = tilesCovering(pyramid, read);
    const tiles: Buffer[] = new Array<Buffer>(covering.length);
    await forEachLimited(
      covering.map((tile, index) => ({ ...tile, index })),
      TILE_READS,
      async ({ col, row, index }) => {
        signal.throwIfAborted();
        tiles[index] = await pyramid.readTile(read.level, col, row);
      },
    );
    signal.throwIfAborted();
    const origin = pyramid.tileBounds(read.level, covering[0].col, covering[0].row);
    const across = covering.filter((tile) => tile.row === covering[0].row).length;
    // (libvips joins two or more; one tile is the region's only source)
    const joined =
      tiles.length === 1 ? sharp(tiles[0]) : sharp(tiles, { join: { across, halign: 'left', valign: 'top' } });
    let out = joined.extract({
      left: read.x - origin.x,
      top: read.y - origin.y,
      width: read.width,
      height: read.height,
    });
    if (request.width !== read.width || request.height !== read.height) {
      out = out.resize(request.width, request.height, { fit: 'fill' });
    }
    if (request.mirror) out = out.flop();
    const seconds = Math.max(1, Math.ceil(timeout - (performance.now() - started) / 1000));
    return encode(qualityOf(out, request), request).timeout({ seconds }).toBuffer();
  }

  async renderInSteps(
    pyramid: ReadablePyramid,
    read: RegionRead,
    request: IiifImageRequest,
    { signal, timeout }: { signal: AbortSignal; timeout: number },
  ): Promise<Buffer> {
    // libvips cannot be stopped from outside a pipeline, so the render stops between steps:
    // after each tile and each of the three steps below, each of them bounded by the pixels
    // read (checked by the caller). Each step also carries libvips' own timeout.
    const started = performance.now();
    const deadline = () => {
      signal.throwIfAborted();
      return { seconds: Math.max(1, Math.ceil(timeout - (performance.now() - started) / 1000)) };
    };
    const pieces: OverlayOptions[] = [];
    let hasAlpha = false;
    await forEachLimited(tilesCovering(pyramid, read), TILE_READS, async ({ col, row }) => {
      signal.throwIfAborted();
      const bounds = pyramid.tileBounds(read.level, col, row);
      const left = Math.max(bounds.x, read.x);
      const top = Math.max(bounds.y, read.y);
      const width = Math.min(bounds.x + bounds.width, read.x + read.width) - left;
      const height = Math.min(bounds.y + bounds.height, read.y + read.height) - top;
      if (width <= 0 || height <= 0) return;
      const tile = sharp(await pyramid.readTile(read.level, col, row));
      if ((await tile.metadata()).hasAlpha) hasAlpha = true;
      const piece = await tile
        .extract({ left: left - bounds.x, top: top - bounds.y, width, height })
        .toColourspace('srgb')
        .ensureAlpha()
        .raw()
        .timeout(deadline())
        .toBuffer({ resolveWithObject: true });
      pieces.push({
        input: piece.data,
        raw: { width: piece.info.width, height: piece.info.height, channels: RAW },
        left: left - read.x,
        top: top - read.y,
      });
    });

    // (1) the region at the level read
    const region = await sharp({
      create: { width: read.width, height: read.height, channels: RAW, background: { r: 0, g: 0, b: 0, alpha: 0 } },
    })
      .composite(pieces)
      .raw()
      .timeout(deadline())
      .toBuffer();
    pieces.length = 0; // drawn: their memory may go before the next step (at most 2x the read held at once)

    // (2) scaled (exactly to the asked size: `w,h` may change the aspect ratio), mirrored
    let scaled = sharp(region, { raw: { width: read.width, height: read.height, channels: RAW } });
    if (request.width !== read.width || request.height !== read.height) {
      scaled = scaled.resize(request.width, request.height, { fit: 'fill' });
    }
    if (request.mirror) scaled = scaled.flop();
    const sized = await scaled.raw().timeout(deadline()).toBuffer({ resolveWithObject: true });

    // (3) rotated, quality, encoded
    const opaque = request.format === 'jpg';
    let out = sharp(sized.data, { raw: { width: sized.info.width, height: sized.info.height, channels: RAW } });
    if (request.rotation !== 0) {
      // Corners uncovered by an arbitrary rotation: transparent, or white where there is no alpha.
      out = out.rotate(request.rotation, { background: { r: 255, g: 255, b: 255, alpha: 0 } });
      if (request.rotation % 90 !== 0) hasAlpha = true;
    }
    if (opaque || !hasAlpha) out = out.flatten({ background: '#ffffff' });
    return encode(qualityOf(out, request), request).timeout(deadline()).toBuffer();
  }
}

/** The IIIF quality: colour as it is, gray, or bitonal. */
function qualityOf(image: Sharp, request: IiifImageRequest): Sharp {
  // toColourspace, not grayscale(): from raw input, grayscale() still writes three channels.
  if (request.quality === 'gray') return image.toColourspace('b-w');
  if (request.quality === 'bitonal') return image.toColourspace('b-w').threshold(128);
  return image;
}

function encode(image: Sharp, request: IiifImageRequest): Sharp {
  switch (request.format) {
    case 'jpg':
      return image.jpeg({ quality: 90 });
    case 'png':
      return image.png();
    case 'webp':
      return image.webp({ quality: 90 });
  }
}
