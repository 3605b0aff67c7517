import type { Page, PageRequest } from '#shared-kernel';
import type { Collection, CollectionProps, CollectionStatus } from '../../domain/collection.js';

/** What a collection holds through its panoramas. */
export type MemberKind = 'tileset' | 'rendition';

export type CollectionChanges = Partial<Pick<CollectionProps, 'name' | 'description'>>;

export abstract class CollectionRepository {
  /** Stores a collection unless its owner has `limit` already (counted under the owner's row lock). */
  abstract insertWithin(collection: Collection, limit: number): Promise<boolean>;
  /** An owner's collections, newest first. */
  abstract list(ownerId: string, page: PageRequest): Promise<Page<Collection>>;
  abstract findById(id: string): Promise<Collection | null>;
  abstract update(id: string, changes: CollectionChanges, at: Date): Promise<Collection | null>;
  /** Deletes the collection; its panoramas stay. */
  abstract delete(id: string): Promise<boolean>;

  /**
   * Adds panoramas (already in: kept as they are). Only live panoramas of `ownerId` are
   * added; returns the ids that are not (nothing is added then), or `full` when the collection
   * would hold more than `limit` (nothing added either). Under the collection's row lock.
   */
  abstract add(
    collectionId: string,
    ownerId: string,
    panoramaIds: readonly string[],
    limit: number,
    at: Date,
  ): Promise<{ missing: string[] } | 'full'>;
  /** Removes panoramas from the collection (the panoramas stay); returns how many were in it. */
  abstract remove(collectionId: string, panoramaIds: readonly string[]): Promise<number>;
  /** The collection's live panoramas' ids, all of them (at most MAX_PANORAMAS_PER_COLLECTION). */
  abstract panoramaIds(collectionId: string): Promise<string[]>;
  /** Whether the tile set or rendition `id` is of a live panorama of the collection. */
  abstract holds(collectionId: string, kind: MemberKind, id: string): Promise<boolean>;

  abstract status(collectionId: string): Promise<CollectionStatus | null>;
  /** Collections that changed since their last completion, within a day, latest first (candidates for one). */
  abstract unsettled(limit: number): Promise<string[]>;
  /**
   * Marks the collection completed at `at` if nothing changed since `status` was read and it
   * was not marked since (one caller wins among racing ones); false otherwise.
   */
  abstract markCompleted(status: CollectionStatus, at: Date): Promise<boolean>;
  /** Undoes markCompleted (raising the event failed: the next run tries again). */
  abstract unmarkCompleted(collectionId: string, previous: Date | null): Promise<void>;
}
