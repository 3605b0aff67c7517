import './sharp-policy.js';
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import sharp, { type Sharp } from 'sharp';
import type { CropPosition, RenditionSpec } from '#renditions/domain';
import type { PyramidLevelView, ReadablePyramid } from '#shared-kernel';
import { forEachLimited } from '#shared-kernel';
import { BmpError, decodableFile } from './bmp.js';

/** Raw RGBA pixels in a file (a stitched pyramid level); `opaque`: the alpha channel is to be dropped. */
export interface RawPixels {
  width: number;
  height: number;
  opaque: boolean;
}

/** What a rendition is made from: an image file, a stream of one, or a ready tile pyramid. */
export type SharpRenderSource = { path: string } | { stream: Readable } | { pyramid: ReadablePyramid };

/** What a render reads: an image file, or a file of raw pixels (a stitched pyramid level). */
export interface RenderInput {
  path: string;
  raw?: RawPixels;
}

export interface SharpRenderLimits {
  /** libvips' own refusal of larger inputs (the probe refused them before). */
  maxInputPixels: number;
  timeoutSeconds: number;
}

/** Why a render failed, as the parent of an isolated render learns it. */
export type RenderFailureKind = 'image' | 'timeout' | 'machine';

export class SharpRenderError extends Error {
  constructor(
    readonly kind: RenderFailureKind,
    message: string,
  ) {
    super(message);
    this.name = 'SharpRenderError';
  }
}

/** Errors of the machine, not of the image: worth retrying. */
const MACHINE = /ENOSPC|No space left|EIO|EMFILE|ENFILE|ENOMEM|out of memory|Cannot allocate/i;

/** sharp's names for the crop positions. */
const SHARP_POSITIONS: Record<CropPosition, string> = {
  center: 'centre',
  top: 'top',
  bottom: 'bottom',
  left: 'left',
  right: 'right',
  'top-left': 'left top',
  'top-right': 'right top',
  'bottom-left': 'left bottom',
  'bottom-right': 'right bottom',
  entropy: 'entropy',
  attention: 'attention',
};

/**
 * A file to render `source` from, and the scratch files made for it (the caller removes them):
 * a file as it is; a stream copied to disk first (a failing stream then fails the copy, a
 * machine error, never a half-fed decoder); a pyramid's smallest level large enough,
 * stitched to raw RGBA. Scratch files are named like staged uploads (`.upload`), so the temp
 * sweep takes them if the process dies.
 */
export async function prepareRenderInput(
  source: SharpRenderSource,
  spec: RenditionSpec,
  out: string,
  limits: SharpRenderLimits,
  signal?: AbortSignal,
): Promise<{ input: RenderInput; scratch: string[] }> {
  await mkdir(dirname(out), { recursive: true });
  if ('path' in source) return decodable(source.path, [], out, limits, signal);
  if ('stream' in source) {
    const copy = `${out}-source.upload`;
    await pipeline(source.stream, createWriteStream(copy)).catch(async (error: unknown) => {
      await rm(copy, { force: true });
      throw new SharpRenderError('machine', error instanceof Error ? error.message : String(error));
    });
    return decodable(copy, [copy], out, limits, signal);
  }
  const stitched = `${out}-stitched.upload`;
  const { data, raw } = await stitchLevelRaw(source.pyramid, spec, limits);
  await writeFile(stitched, data);
  return { input: { path: stitched, raw }, scratch: [stitched] };
}

/**
 * `path` as it is, or for a bitmap its conversion to a libvips file (one more scratch file),
 * stopped by the render's timeout or its caller's signal.
 */
async function decodable(
  path: string,
  scratch: string[],
  out: string,
  limits: SharpRenderLimits,
  signal?: AbortSignal,
) {
  const converted = `${out}-bitmap.upload`;
  const timeout = AbortSignal.timeout(limits.timeoutSeconds * 1000);
  try {
    const input = await decodableFile(path, converted, {
      signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
    });
    return { input: { path: input }, scratch: input === path ? scratch : [...scratch, converted] };
  } catch (error) {
    await Promise.all(scratch.map((file) => rm(file, { force: true })));
    throw error instanceof BmpError ? new SharpRenderError('image', error.message) : classify(error);
  }
}

/**
 * Renders `spec` from `input` into the file `out` and returns its size and SHA-256.
 * The output is upright (EXIF orientation applied), sRGB, exactly spec.width x
 * spec.height, without metadata (sharp writes none unless asked). From an image file,
 * libvips shrinks on load (a JPEG decodes at 1/2, 1/4 or 1/8 scale) and streams the rest.
 */
export async function renderWithSharp(
  input: RenderInput,
  spec: RenditionSpec,
  out: string,
  limits: SharpRenderLimits,
): Promise<{ bytes: number; sha256: string }> {
  await mkdir(dirname(out), { recursive: true });
  try {
    const { raw } = input;
    // Raw pixels are read whole (libvips loads raw only from memory; the caller bounds them).
    let image = raw
      ? sharp(await readFile(input.path), {
          limitInputPixels: limits.maxInputPixels,
          raw: { width: raw.width, height: raw.height, channels: 4 },
        })
      : sharp(input.path, {
          autoOrient: true,
          limitInputPixels: limits.maxInputPixels,
          failOn: 'warning',
          sequentialRead: true,
        });
    if (raw?.opaque) image = image.removeAlpha();
    await encode(resize(image, spec), spec).timeout({ seconds: limits.timeoutSeconds }).toFile(out);
  } catch (error) {
    await rm(out, { force: true });
    throw classify(error);
  }
  const hash = createHash('sha256');
  await pipeline(createReadStream(out), hash);
  return { bytes: (await stat(out)).size, sha256: hash.digest('hex') };
}

function resize(image: Sharp, spec: RenditionSpec): Sharp {
  const sized =
    spec.fit === 'cover'
      ? image.resize(spec.width, spec.height, { fit: 'cover', position: SHARP_POSITIONS[spec.position ?? 'center'] })
      : // The spec's size already keeps the aspect ratio (rounded to whole pixels): fill it exactly.
        image.resize(spec.width, spec.height, { fit: 'fill' });
  return sized.toColourspace('srgb');
}

function encode(image: Sharp, spec: RenditionSpec): Sharp {
  switch (spec.format) {
    case 'jpeg':
      // JPEG has no alpha: transparent areas become white, not black.
      return image.flatten({ background: '#ffffff' }).jpeg({ quality: spec.quality!, mozjpeg: true });
    case 'png':
      return image.png({ compressionLevel: 9, adaptiveFiltering: true });
    case 'webp':
      return image.webp({ quality: spec.quality!, effort: spec.effort! });
    case 'avif':
      return image.avif({ quality: spec.quality!, effort: spec.effort! });
  }
}

/** Most tiles read at once while stitching. */
const TILE_READS = 16;

/**
 * The smallest level of the pyramid at least as large as the rendition needs, put together
 * from its tiles as raw RGBA pixels (in memory: the caller bounds the level's size).
 */
export async function stitchLevelRaw(
  pyramid: ReadablePyramid,
  spec: RenditionSpec,
  limits: SharpRenderLimits,
): Promise<{ data: Buffer; raw: RawPixels }> {
  const level = levelFor(pyramid, spec);
  const tiles: { input: Buffer; left: number; top: number }[] = [];
  const positions = [...Array(level.cols * level.rows).keys()].map((i) => ({
    col: i % level.cols,
    row: Math.floor(i / level.cols),
  }));
  await forEachLimited(positions, TILE_READS, async ({ col, row }) => {
    const bounds = pyramid.tileBounds(level.level, col, row);
    const input = await pyramid.readTile(level.level, col, row).catch((error: unknown) => {
      throw new SharpRenderError('machine', error instanceof Error ? error.message : String(error));
    });
    tiles.push({ input, left: bounds.x, top: bounds.y });
  });
  // Transparent only if the image is (its tiles then carry alpha); compositing always adds one.
  const opaque = !(await sharp(tiles[0].input).metadata()).hasAlpha;
  const canvas = await sharp({
    create: { width: level.width, height: level.height, channels: 4, background: { r: 0, g: 0, b: 0, alpha: 0 } },
    limitInputPixels: limits.maxInputPixels,
  })
    .composite(tiles)
    .raw()
    .timeout({ seconds: limits.timeoutSeconds })
    .toBuffer({ resolveWithObject: true });
  return { data: canvas.data, raw: { width: canvas.info.width, height: canvas.info.height, opaque } };
}

/** The smallest level whose width covers the width the rendition scales the image to. */
export function levelFor(
  pyramid: Pick<ReadablePyramid, 'width' | 'height' | 'levels'>,
  spec: RenditionSpec,
): PyramidLevelView {
  const scale =
    spec.fit === 'cover'
      ? Math.max(spec.width / pyramid.width, spec.height / pyramid.height)
      : Math.min(spec.width / pyramid.width, spec.height / pyramid.height);
  const needed = Math.ceil(pyramid.width * scale);
  return pyramid.levels.find((l) => l.width >= needed) ?? pyramid.levels[pyramid.levels.length - 1];
}

function classify(error: unknown): SharpRenderError {
  if (error instanceof SharpRenderError) return error;
  const message = (error instanceof Error ? error.message : String(error)).split('\n')[0].slice(0, 200);
  if (/timeout/i.test(message)) return new SharpRenderError('timeout', message);
  if (MACHINE.test(message) || (error as { code?: string }).code === 'ENOENT') {
    return new SharpRenderError('machine', message);
  }
  return new SharpRenderError('image', message);
}
