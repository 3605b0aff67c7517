import { Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { ChangeFeed, ChangeWatcher, type RecordObserver } from '#shared-kernel';
import type { CollectionStatus } from '../domain/collection.js';
import { CollectionRepository } from './ports/collection.repository.port.js';

/**
 * Live collection statuses: the database announces every change of a member's tile set or
 * rendition (progress included) and of the membership on `collections`; each status is read
 * once per change however many streams follow it.
 */
@Injectable()
export class CollectionWatch implements OnModuleDestroy {
  private readonly logger = new Logger(CollectionWatch.name);
  private readonly watcher: ChangeWatcher<CollectionStatus>;

  constructor(changes: ChangeFeed, collections: CollectionRepository) {
    this.watcher = new ChangeWatcher<CollectionStatus>(
      changes,
      'collections',
      (id) => collections.status(id),
      (error, id) => this.logger.warn({ err: error, collectionId: id }, 'Could not read a collection status'),
    );
  }

  watch(id: string, observer: RecordObserver<CollectionStatus>): () => void {
    return this.watcher.watch(id, observer);
  }

  onModuleDestroy(): void {
    this.watcher.close();
  }
}
