import { Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { ChangeFeed, ChangeWatcher, type RecordObserver } from '#shared-kernel';
import type { Rendition } from '../domain/rendition.js';
import { RenditionRepository } from './ports/rendition.repository.port.js';

/** Live renditions for status streams (see ChangeWatcher). */
@Injectable()
export class RenditionWatch implements OnModuleDestroy {
  private readonly logger = new Logger(RenditionWatch.name);
  private readonly watcher: ChangeWatcher<Rendition>;

  constructor(renditions: RenditionRepository, changes: ChangeFeed) {
    this.watcher = new ChangeWatcher(
      changes,
      'renditions',
      (id) => renditions.findById(id),
      (error, id) => this.logger.warn({ err: error, renditionId: id }, 'Reading a watched rendition failed'),
    );
  }

  onModuleDestroy(): void {
    this.watcher.close();
  }

  watch(id: string, observer: RecordObserver<Rendition>): () => void {
    return this.watcher.watch(id, observer);
  }
}
