import './sharp-policy.js';
import { createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import sharp from 'sharp';
import { AppConfig } from '#config';
import { BmpError, decodableFile } from './bmp.js';
import type { CutReplyMessage, CutRequestMessage } from './cut-child.js';
import { childScript, imageThreads, runIsolated } from './isolated-process.js';
import { countFiles } from './tile-tree.js';
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
/** Grace for a cut past its timeout to stop by itself before it is killed. */
const KILL_GRACE_SECONDS = 5;

/**
 * Cuts pyramids with libvips' Deep Zoom writer (sharp `.tile({ layout: 'dz' })`, the engine
 * of `vips dzsave`), reading the original file sequentially, never into a buffer, in a child
 * process per cut (cut-child.ts: no Nest, no ORM; what libvips and the allocator hold goes
 * with it, so the worker stays the size it was). Tiles carry no metadata (sharp strips
 * EXIF/XMP/GPS unless asked to keep it). Progress is the number of tiles on disk, polled
 * every second by this process; the SHA-256 of every tile is taken by the cut's process.
 */
@Injectable()
export class SharpPyramidTiler extends PyramidTiler implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(SharpPyramidTiler.name);
  private sweeping?: NodeJS.Timeout;
  /** Cuts under way: each one's way to stop it. */
  private readonly running = new Set<(reason: Error) => void>();
  /** libvips threads of a cut. */
  private readonly threads: number;
  /** Tests: told the process id of each cut as it starts. */
  onCutStarted?: (pid: number | undefined) => void;

  constructor(private readonly config: AppConfig) {
    super();
    this.threads = imageThreads(config);
    // The same for what this process still renders with sharp (IIIF answers, probes), as before cuts moved out.
    sharp.concurrency(this.threads);
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

  /** Cuts still running are killed: their jobs fail now and are retried (from scratch) elsewhere. */
  onApplicationShutdown(): void {
    clearInterval(this.sweeping);
    for (const stop of [...this.running]) stop(new Error('the cut was stopped (shutdown)'));
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
      let tiles: ManifestTile[];
      try {
        tiles = await this.cutIsolated({
          path,
          out: join(work, 'image.dz'),
          options,
          size,
          maxInputPixels: this.config.IMAGE_MAX_PIXELS,
          timeoutSeconds: this.config.TILING_TIMEOUT_SECONDS,
          jpegOptimiseCoding: this.config.TILING_JPEG_OPTIMISE_CODING,
          threads: this.threads,
        });
      } finally {
        clearInterval(poll);
      }
      await rm(join(work, 'image.dzi'), { force: true });
      onProgress(tiles.length);
      return { directory, tiles, dispose };
    } catch (error) {
      await dispose();
      throw error;
    }
  }

  /**
   * One cut in a child process (cut-child.ts). Its failures: the image's (CorruptImageError,
   * final) or the machine's (a transient error the job retries from scratch): a full disk,
   * the timeout, a kill (shutdown, `kill -9`, the out-of-memory killer) or a crash.
   */
  private async cutIsolated(request: CutRequestMessage): Promise<ManifestTile[]> {
    const run = runIsolated<CutRequestMessage, CutReplyMessage>(CUT_CHILD, request, {
      deadlineMs: (request.timeoutSeconds + KILL_GRACE_SECONDS) * 1000,
      failures: {
        deadline: () => new Error(`the cut did not stop by its timeout (${request.timeoutSeconds} s)`),
        exited: (code, killedBy) => new Error(`the cut stopped (${killedBy ?? `exit ${code}`}) before it finished`),
        failed: (error) => error,
      },
    });
    this.running.add(run.stop);
    this.onCutStarted?.(run.pid);
    try {
      const reply = await run.result;
      if ('ok' in reply) return reply.ok.tiles;
      const message = reply.error.message;
      if (TRANSIENT.test(message) || /timeout/i.test(message)) throw new Error(message);
      throw new CorruptImageError(message.split('\n')[0].slice(0, 200));
    } finally {
      this.running.delete(run.stop);
    }
  }
}

const CUT_CHILD = childScript('cut-child');
