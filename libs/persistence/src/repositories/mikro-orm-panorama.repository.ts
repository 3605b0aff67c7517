import { EntityManager, UniqueConstraintViolationException } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import {
  assertWithinQuota,
  OwnerNotFoundError,
  Panorama,
  type PanoramaChanges,
  type PanoramaListQuery,
  PanoramaRepository,
  type Quota,
  type StorageUsage,
  type Usage,
} from '#panoramas';
import { decodeCursor, type Page, type SqlTransaction, toPage } from '#shared-kernel';
import { TileSet } from '#tiles';
import { ReadReplicas } from '../read-replicas/read-replicas.js';
import { ownersUsage, ownerUsage } from './owner-usage.js';
import { sqlTransactionOf } from './sql-transaction.js';

const escapeLike = (text: string) => text.replace(/[\\%_]/g, (c) => `\\${c}`);

@Injectable()
export class MikroOrmPanoramaRepository extends PanoramaRepository {
  constructor(
    private readonly em: EntityManager,
    private readonly replicas: ReadReplicas,
  ) {
    super();
  }

  findById(id: string): Promise<Panorama | null> {
    return this.em.fork().findOne(Panorama, { id, deletedAt: null });
  }

  findByIdIncludingDeleted(id: string): Promise<Panorama | null> {
    return this.em.fork().findOne(Panorama, { id });
  }

  findByOwnerAndSha256(ownerId: string, sha256: string): Promise<Panorama | null> {
    return this.em.fork().findOne(Panorama, { ownerId, sha256, deletedAt: null });
  }

  async insertWithTileSet(
    panorama: Panorama,
    tileSet: TileSet,
    quota: Quota,
    alsoInTransaction?: (transaction: SqlTransaction) => Promise<void>,
  ): Promise<boolean> {
    try {
      return await this.em.fork().transactional(async (em) => {
        const owner = await em
          .getConnection()
          .execute(
            'select id from users where id = ? for update',
            [panorama.ownerId],
            'all',
            em.getTransactionContext(),
          );
        if (owner.length === 0) throw new OwnerNotFoundError();
        if (await em.findOne(Panorama, { ownerId: panorama.ownerId, sha256: panorama.sha256, deletedAt: null })) {
          return false;
        }
        assertWithinQuota(quota, await ownerUsage(em, panorama.ownerId), { panoramas: 1, bytes: panorama.bytes });
        await em.insert(Panorama, { ...panorama });
        await em.insert(TileSet, { ...tileSet });
        await alsoInTransaction?.(sqlTransactionOf(em));
        return true;
      });
    } catch (error) {
      if (
        error instanceof UniqueConstraintViolationException &&
        /panoramas_owner_sha256_live_unique/.test(error.message)
      )
        return false;
      throw error;
    }
  }

  scan(afterId: string | undefined, limit: number): Promise<Panorama[]> {
    return this.em
      .fork()
      .find(
        Panorama,
        { deletedAt: null, ...(afterId ? { id: { $gt: afterId } } : {}) },
        { orderBy: { id: 'asc' }, limit },
      );
  }

  async list({
    ownerId,
    limit,
    cursor,
    title,
    tags,
    createdFrom,
    createdBefore,
    ids,
  }: PanoramaListQuery): Promise<Page<Panorama>> {
    const after = cursor ? decodeCursor(cursor) : undefined;
    const rows = await this.replicas.read(() =>
      this.em.fork().find(
        Panorama,
        {
          ownerId,
          deletedAt: null,
          ...(title ? { title: { $ilike: `%${escapeLike(title)}%` } } : {}),
          ...(tags && tags.length > 0 ? { tags: { $contains: [...tags] } } : {}),
          ...(ids ? { id: { $in: [...ids] } } : {}),
          ...(createdFrom || createdBefore
            ? {
                $and: [
                  ...(createdFrom ? [{ createdAt: { $gte: createdFrom } }] : []),
                  ...(createdBefore ? [{ createdAt: { $lt: createdBefore } }] : []),
                ],
              }
            : {}),
          ...(after
            ? { $or: [{ createdAt: { $lt: after.createdAt } }, { createdAt: after.createdAt, id: { $lt: after.id } }] }
            : {}),
        },
        { orderBy: { createdAt: 'desc', id: 'desc' }, limit: limit + 1, connectionType: 'read' },
      ),
    );
    return toPage(rows, limit);
  }

  async update(id: string, changes: PanoramaChanges): Promise<Panorama | null> {
    const em = this.em.fork();
    const { tags, ...rest } = changes;
    const updated = await em.nativeUpdate(
      Panorama,
      { id, deletedAt: null },
      { ...rest, ...(tags ? { tags: [...tags] } : {}) },
    );
    return updated > 0 ? em.findOne(Panorama, { id }) : null;
  }

  async markDeleted(id: string, at: Date): Promise<boolean> {
    return (await this.em.fork().nativeUpdate(Panorama, { id, deletedAt: null }, { deletedAt: at, updatedAt: at })) > 0;
  }

  async purge(id: string): Promise<void> {
    // tile_sets and renditions rows go by ON DELETE CASCADE.
    await this.em.fork().nativeDelete(Panorama, { id });
  }

  findDeleted(limit: number): Promise<Panorama[]> {
    return this.em.fork().find(Panorama, { deletedAt: { $ne: null } }, { orderBy: { deletedAt: 'asc' }, limit });
  }

  usage(ownerId: string): Promise<Usage> {
    return ownerUsage(this.em.fork(), ownerId);
  }

  storageUsage(ownerIds: string[]): Promise<Map<string, StorageUsage>> {
    return this.replicas.read(() => ownersUsage(this.em.fork(), ownerIds, 'read'));
  }
}
