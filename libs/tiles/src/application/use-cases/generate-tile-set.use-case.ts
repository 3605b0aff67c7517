import { Readable } from 'node:stream';
import { Injectable, Logger } from '@nestjs/common';
import { Clock, type JobAttempt, ObjectStorage, runDerivativeJob } from '#shared-kernel';
import { buildManifest, manifestKey } from '../../domain/manifest.js';
import { expectedTileCount, levelCount } from '../../domain/pyramid.js';
import type { TileSet } from '../../domain/tile-set.js';
import { TilingIncompleteError } from '../../domain/tiles.errors.js';
import { type CutPyramid, PyramidTiler } from '../ports/pyramid-tiler.port.js';
import { TileSetRepository } from '../ports/tile-set.repository.port.js';

/** How often, at most, progress is written to the database. */
export const PROGRESS_INTERVAL_MS = 1_000;

/**
 * The tiling job (its skeleton, failure policy included, is every derived image's:
 * runDerivativeJob). Marks the tile set processing, cuts the pyramid from the original file,
 * reports progress (tiles written / tiles expected) at least every second, checks the count
 * against the geometry, publishes the tiles, writes the manifest last, then marks the tile set
 * ready.
 *
 * Idempotent: leftovers of an earlier attempt are removed first, and libvips cuts the same
 * bytes from the same input, so a retry ends with the same keys. On failure every published
 * object is removed; a non-retryable DomainError (corrupt image) fails the tile set at once;
 * anything else (storage down...) is rethrown for the queue to retry, and fails it on the last
 * attempt.
 */
@Injectable()
export class GenerateTileSetUseCase {
  private readonly logger = new Logger(GenerateTileSetUseCase.name);

  constructor(
    private readonly tileSets: TileSetRepository,
    private readonly storage: ObjectStorage,
    private readonly tiler: PyramidTiler,
    private readonly clock: Clock,
  ) {}

  execute(tileSetId: string, attempt: Pick<JobAttempt, 'isLastAttempt'> = { isLastAttempt: true }): Promise<void> {
    return runDerivativeJob(
      {
        find: () => this.tileSets.findById(tileSetId),
        start: () => this.tileSets.markProcessing(tileSetId, this.clock.now()),
        work: (tileSet) => this.cut(tileSet),
        undo: (tileSet) =>
          this.storage
            .deletePrefix(tileSet.storagePrefix())
            .catch((cleanup: unknown) =>
              this.logger.warn({ tileSetId, err: cleanup }, 'Could not remove partial tiles'),
            ),
        fail: (_, code) => this.tileSets.markFailed(tileSetId, code, this.clock.now()),
        fallbackCode: 'TILING_FAILED',
      },
      attempt,
    );
  }

  private async cut(tileSet: TileSet): Promise<void> {
    const tileSetId = tileSet.id;
    const prefix = tileSet.storagePrefix();
    const spec = tileSet.spec();
    const expected = expectedTileCount(spec);
    let cut: CutPyramid | undefined;
    try {
      await this.storage.deletePrefix(prefix); // whatever a killed attempt left

      const local = this.storage.localPath(tileSet.sourceKey);
      const source = local ? { path: local } : { stream: (await this.storage.get(tileSet.sourceKey)).body };
      cut = await this.tiler.cut(source, tileSet.options(), this.progressReporter(tileSetId, expected), spec);
      if (cut.tiles.length !== expected) throw new TilingIncompleteError(expected, cut.tiles.length);

      await this.storage.publishDirectory(prefix, cut.directory);
      const manifest = buildManifest(tileSetId, spec, tileSet.format, cut.tiles);
      await this.storage.put(manifestKey(tileSetId), Readable.from([Buffer.from(JSON.stringify(manifest))]), {
        contentType: 'application/json',
      });

      const ready = await this.tileSets.markReady(
        tileSetId,
        { levels: levelCount(spec.width, spec.height), tileCount: manifest.tileCount, bytes: manifest.bytes },
        this.clock.now(),
      );
      if (!ready) {
        // Deleted while we worked: leave nothing behind.
        await this.storage.deletePrefix(prefix);
        return;
      }
      this.logger.log({ tileSetId, tiles: manifest.tileCount, bytes: manifest.bytes }, 'Tile set ready');
    } finally {
      await cut?.dispose();
    }
  }

  private progressReporter(tileSetId: string, expected: number) {
    let lastWrite = 0;
    let pending: Promise<void> = Promise.resolve();
    return (written: number) => {
      const now = Date.now();
      if (now - lastWrite < PROGRESS_INTERVAL_MS) return;
      lastWrite = now;
      // Never report 1 before the tile set is really ready.
      const progress = Math.min(0.99, written / expected);
      pending = pending
        .then(() => this.tileSets.updateProgress(tileSetId, progress, this.clock.now()))
        .catch(() => undefined);
    };
  }
}
