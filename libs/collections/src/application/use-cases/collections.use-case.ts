import { Injectable } from '@nestjs/common';
import { type Actor, Clock, newId, type Page, type PageRequest, type ShareGrant } from '#shared-kernel';
import { PanoramaNotFoundError } from '#panoramas';
import {
  Collection,
  type CollectionStatus,
  MAX_COLLECTIONS_PER_USER,
  MAX_PANORAMAS_PER_COLLECTION,
} from '../../domain/collection.js';
import {
  CollectionFullError,
  CollectionLimitReachedError,
  CollectionNotFoundError,
} from '../../domain/collections.errors.js';
import { CollectionMembers } from '../collection-members.service.js';
import { type CollectionChanges, CollectionRepository } from '../ports/collection.repository.port.js';

/**
 * A user's collections: made, listed, renamed, deleted (the panoramas stay), their
 * panoramas added and removed, their status. Someone else's look missing (admins see all).
 */
@Injectable()
export class CollectionsUseCase {
  constructor(
    private readonly collections: CollectionRepository,
    private readonly membership: CollectionMembers,
    private readonly clock: Clock,
  ) {}

  async create(owner: Actor, input: { name: string; description?: string | null }): Promise<Collection> {
    const now = this.clock.now();
    const collection = new Collection({
      id: newId(),
      ownerId: owner.userId,
      name: input.name,
      description: input.description || null,
      createdAt: now,
      updatedAt: now,
    });
    if (!(await this.collections.insertWithin(collection, MAX_COLLECTIONS_PER_USER))) {
      throw new CollectionLimitReachedError(MAX_COLLECTIONS_PER_USER);
    }
    return collection;
  }

  list(owner: Actor, page: PageRequest): Promise<Page<Collection>> {
    return this.collections.list(owner.userId, page);
  }

  /** Throws CollectionNotFoundError unless the actor may see the collection. */
  async get(actor: Actor, id: string): Promise<Collection> {
    const collection = await this.collections.findById(id);
    if (!collection || (collection.props.ownerId !== actor.userId && actor.role !== 'admin')) {
      throw new CollectionNotFoundError();
    }
    return collection;
  }

  /** Only the owner changes a collection (an admin's view is read-only). */
  async owned(actor: Actor, id: string): Promise<Collection> {
    const collection = await this.collections.findById(id);
    if (!collection || collection.props.ownerId !== actor.userId) throw new CollectionNotFoundError();
    return collection;
  }

  async update(actor: Actor, id: string, changes: CollectionChanges): Promise<Collection> {
    await this.owned(actor, id);
    const description = changes.description === undefined ? undefined : changes.description || null;
    const updated = await this.collections.update(id, { ...changes, description }, this.clock.now());
    if (!updated) throw new CollectionNotFoundError();
    return updated;
  }

  async delete(actor: Actor, id: string): Promise<void> {
    await this.owned(actor, id);
    if (!(await this.collections.delete(id))) throw new CollectionNotFoundError();
    this.membership.forget(id);
  }

  /** Adds the owner's panoramas; one that is not theirs (or gone) refuses the whole request. */
  async add(actor: Actor, id: string, panoramaIds: readonly string[]): Promise<void> {
    const collection = await this.owned(actor, id);
    const added = await this.collections.add(
      id,
      collection.props.ownerId,
      [...new Set(panoramaIds)],
      MAX_PANORAMAS_PER_COLLECTION,
      this.clock.now(),
    );
    if (added === 'full') throw new CollectionFullError(MAX_PANORAMAS_PER_COLLECTION);
    if (added.missing.length > 0) throw new PanoramaNotFoundError();
    this.membership.forget(id);
  }

  async remove(actor: Actor, id: string, panoramaIds: readonly string[]): Promise<void> {
    await this.owned(actor, id);
    await this.collections.remove(id, [...new Set(panoramaIds)]);
    // Its share links stop opening what was taken out: here at once, elsewhere when told.
    this.membership.forget(id);
  }

  /** The collection and its live panoramas' ids (oldest addition first). */
  async members(actor: Actor, id: string): Promise<{ collection: Collection; panoramaIds: string[] }> {
    const collection = await this.get(actor, id);
    return { collection, panoramaIds: await this.collections.panoramaIds(id) };
  }

  /**
   * As members, for the holder of a share link of the collection (its links are listed, so
   * revoking is the link's business, checked before this); gone: CollectionNotFoundError.
   */
  async sharedMembers(grant: ShareGrant, id: string): Promise<{ collection: Collection; panoramaIds: string[] }> {
    const collection = grant.share === 'collection' && grant.id === id ? await this.collections.findById(id) : null;
    if (!collection) throw new CollectionNotFoundError();
    return { collection, panoramaIds: await this.collections.panoramaIds(id) };
  }

  async status(actor: Actor, id: string): Promise<CollectionStatus> {
    await this.get(actor, id);
    const status = await this.collections.status(id);
    if (!status) throw new CollectionNotFoundError();
    return status;
  }
}
