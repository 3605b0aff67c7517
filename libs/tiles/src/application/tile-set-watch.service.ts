import { Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { ChangeFeed, ChangeWatcher, type RecordObserver } from '#shared-kernel';
import type { TileSet } from '../domain/tile-set.js';
import { TileSetRepository } from './ports/tile-set.repository.port.js';

export type TileSetObserver = RecordObserver<TileSet>;

/** Live tile sets for progress streams (see ChangeWatcher). */
@Injectable()
export class TileSetWatch implements OnModuleDestroy {
  private readonly logger = new Logger(TileSetWatch.name);
  private readonly watcher: ChangeWatcher<TileSet>;

  constructor(tileSets: TileSetRepository, changes: ChangeFeed) {
    this.watcher = new ChangeWatcher(
      changes,
      'tilesets',
      (id) => tileSets.findById(id),
      (error, id) => this.logger.warn({ err: error, tileSetId: id }, 'Reading a watched tile set failed'),
    );
  }

  onModuleDestroy(): void {
    this.watcher.close();
  }

  /** Calls `observer` with the tile set now and on every change; returns the unwatch. */
  watch(id: string, observer: TileSetObserver): () => void {
    return this.watcher.watch(id, observer);
  }
}
