import './sharp-policy.js';
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { join, relative, sep } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import sharp, { type Sharp } from 'sharp';
import { AppConfig } from '#config';
import { forEachLimited } from '#shared-kernel';
import { BmpError, decodableFile } from './bmp.js';
import {
  CorruptImageError,
  type CutPyramid,
  type ManifestTile,
  PyramidTiler,
  type TileOptions,
  type TilerSource,
} from '#tiles';

/** Errors of the machine, not of the image: worth retrying. */
const TRANSIENT = /ENOSPC|No space left|EIO|EMFILE|ENFILE|ENOMEM|out of memory|Cannot allocate/i;
const PROGRESS_POLL_MS = 1_000;
const DIGEST_PARALLELISM = 8;

/**
 * Cuts pyramids with libvips' Deep Zoom writer (sharp `.tile({ layout: 'dz' })`, the engine
 * of `vips dzsave`), reading the original file sequentially, never into a buffer. Tiles
 * carry no metadata (sharp strips EXIF/XMP/GPS unless asked to keep it). Progress is the
 * number of tiles on disk, polled every second.
 */
@Injectable()
export class SharpPyramidTiler extends PyramidTiler implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(SharpPyramidTiler.name);
  private sweeping?: NodeJS.Timeout;

  constructor(private readonly config: AppConfig) {
    super();
    // Measured (npm run bench:tiling-tuning, docs/benchmarks.md): twice as many libvips threads
    // as cores was never slower than one per core, and faster on a 200 MP image, where
    // writing thousands of tiles leaves cores waiting on I/O.
    sharp.concurrency(config.IMAGE_THREADS > 0 ? config.IMAGE_THREADS : 2 * availableParallelism());
  }

  /**
   * A worker killed mid-cut leaves its scratch directory. At start-up and every
   * TEMP_SWEEP_INTERVAL_SECONDS, remove those older than twice the tiling timeout (no live
   * cut can be that old, whichever process runs it).
   */
  async onApplicationBootstrap(): Promise<void> {
    await this.sweep();
    this.sweeping = setInterval(() => void this.sweep(), this.config.TEMP_SWEEP_INTERVAL_SECONDS * 1000).unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.sweeping);
  }

  private async sweep(): Promise<void> {
    const entries = await readdir(this.config.TILING_WORK_DIR, { withFileTypes: true }).catch(() => []);
    const cutoff = Date.now() - 2 * this.config.TILING_TIMEOUT_SECONDS * 1000;
    let removed = 0;
    for (const entry of entries.filter((e) => e.isDirectory() && e.name.startsWith('cut-'))) {
      const path = join(this.config.TILING_WORK_DIR, entry.name);
      const info = await stat(path).catch(() => null);
      if (info && info.mtimeMs < cutoff) {
        await rm(path, { recursive: true, force: true });
        removed++;
      }
    }
    if (removed > 0) this.logger.log(`Removed ${removed} orphaned tiling scratch director(ies)`);
  }

  async cut(
    source: TilerSource,
    options: TileOptions,
    onProgress: (tilesWritten: number) => void,
    size?: { width: number; height: number },
  ): Promise<CutPyramid> {
    await mkdir(this.config.TILING_WORK_DIR, { recursive: true });
    const work = await mkdtemp(join(this.config.TILING_WORK_DIR, 'cut-'));
    const dispose = () => rm(work, { recursive: true, force: true });
    try {
      let path: string;
      if ('path' in source) path = source.path;
      else {
        path = join(work, 'source');
        await pipeline(source.stream, createWriteStream(path));
      }
      // A bitmap becomes a libvips file first (bmp.ts), in the same scratch directory.
      try {
        path = await decodableFile(path, join(work, 'source.v'), {
          signal: AbortSignal.timeout(this.config.TILING_TIMEOUT_SECONDS * 1000),
        });
      } catch (error) {
        if (error instanceof BmpError) throw new CorruptImageError(error.message);
        throw error;
      }
      const directory = join(work, 'image_files');
      const poll = setInterval(() => void countFiles(directory).then(onProgress, () => undefined), PROGRESS_POLL_MS);
      try {
        let image = sharp(path, {
          limitInputPixels: this.config.IMAGE_MAX_PIXELS,
          failOn: 'warning',
          sequentialRead: true,
          // Upright, like every rendition and the probed size (EXIF orientation).
          autoOrient: true,
        });
        // A sphere layout cuts the image scaled to exactly its grid (see TILE_LAYOUTS).
        if (options.layout === 'sphere' && size) image = image.resize(size.width, size.height, { fit: 'fill' });
        await this.encoder(image, options)
          .tile({ size: options.tileSize, overlap: options.overlap, layout: 'dz', depth: 'onepixel', container: 'fs' })
          .timeout({ seconds: this.config.TILING_TIMEOUT_SECONDS })
          .toFile(join(work, 'image.dz'));
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        if (TRANSIENT.test(message) || /timeout/i.test(message)) throw error;
        throw new CorruptImageError(message.split('\n')[0].slice(0, 200));
      } finally {
        clearInterval(poll);
      }
      await rm(join(directory, 'vips-properties.xml'), { force: true });
      await rm(join(work, 'image.dzi'), { force: true });
      const tiles = await digestTree(directory);
      onProgress(tiles.length);
      return { directory, tiles, dispose };
    } catch (error) {
      await dispose();
      throw error;
    }
  }

  private encoder(image: Sharp, options: TileOptions): Sharp {
    switch (options.format) {
      case 'jpeg':
        return image.jpeg({ quality: options.quality, optimiseCoding: this.config.TILING_JPEG_OPTIMISE_CODING });
      case 'png':
        return image.png({ compressionLevel: 6 });
      case 'webp':
        return image.webp({ quality: options.quality, effort: 2 });
    }
  }
}

async function files(directory: string): Promise<string[]> {
  const entries = await readdir(directory, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
}

async function countFiles(directory: string): Promise<number> {
  return (await files(directory).catch(() => [])).length;
}

/** Size and SHA-256 of every file, paths relative and `/`-separated. */
async function digestTree(directory: string): Promise<ManifestTile[]> {
  const paths = await files(directory);
  const tiles = new Array<ManifestTile>(paths.length);
  // Tiles are small (tens of KiB): one readFile each (open, fstat, read, close) costs less
  // than a stream and a stat (npm run bench:tiling, cut only: "of it in libvips" vs total).
  await forEachLimited(paths, DIGEST_PARALLELISM, async (path, index) => {
    const bytes = await readFile(path);
    tiles[index] = {
      path: relative(directory, path).split(sep).join('/'),
      bytes: bytes.length,
      sha256: createHash('sha256').update(bytes).digest('hex'),
    };
  });
  return tiles;
}
