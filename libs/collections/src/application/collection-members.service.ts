import { Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { LRUCache } from 'lru-cache';
import { ChangeFeed } from '#shared-kernel';
import { CollectionRepository, type MemberKind } from './ports/collection.repository.port.js';

/** Collections whose answers are remembered, and answers per collection. */
const COLLECTIONS_MAX = 1_000;
const ANSWERS_MAX = 10_000;

/**
 * Whether a collection still holds a tile set or rendition (through its panorama), as the
 * share-link check asks for every request under a collection's link: read once, then
 * remembered until the collection changes (its membership, on the `collections` feed, which
 * the database announces; everything after the feed reconnects). The process that changes a
 * membership forgets at once; the others within moments.
 */
@Injectable()
export class CollectionMembers implements OnModuleInit, OnModuleDestroy {
  private readonly known = new LRUCache<string, Map<string, boolean>>({ max: COLLECTIONS_MAX });
  /** Raised by every forgetting: an answer read across one is not kept (it may be stale). */
  private generation = 0;
  private unsubscribe?: () => void;

  constructor(
    private readonly collections: CollectionRepository,
    private readonly changes: ChangeFeed,
  ) {}

  onModuleInit(): void {
    this.unsubscribe = this.changes.subscribe('collections', (id) => this.forget(id));
  }

  onModuleDestroy(): void {
    this.unsubscribe?.();
  }

  async holds(collectionId: string, kind: MemberKind, id: string): Promise<boolean> {
    const key = `${kind}/${id}`;
    const known = this.known.get(collectionId)?.get(key);
    if (known !== undefined) return known;
    const generation = this.generation;
    const held = await this.collections.holds(collectionId, kind, id);
    if (generation === this.generation) {
      let answers = this.known.get(collectionId);
      if (!answers || answers.size >= ANSWERS_MAX) this.known.set(collectionId, (answers = new Map()));
      answers.set(key, held);
    }
    return held;
  }

  /** Drops what is remembered of one collection (undefined: of all). */
  forget(collectionId: string | undefined): void {
    this.generation++;
    if (collectionId === undefined) this.known.clear();
    else this.known.delete(collectionId);
  }
}
