import { EntityManager, UniqueConstraintViolationException } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { Panorama, type PanoramaChanges, type PanoramaListQuery, PanoramaRepository } from '#panoramas';
import { decodeCursor, type Page, toPage } from '#shared-kernel';
import { TileSet } from '#tiles';

const escapeLike = (text: string) => text.replace(/[\\%_]/g, (c) => `\\${c}`);

@Injectable()
export class MikroOrmPanoramaRepository extends PanoramaRepository {
  constructor(private readonly em: EntityManager) {
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

  async insertWithTileSet(panorama: Panorama, tileSet: TileSet): Promise<boolean> {
    try {
      await this.em.fork().transactional(async (em) => {
        await em.insert(Panorama, { ...panorama });
        await em.insert(TileSet, { ...tileSet });
      });
      return true;
    } catch (error) {
      if (error instanceof UniqueConstraintViolationException && /panoramas_owner_sha256_live_unique/.test(error.message)) return false;
      throw error;
    }
  }

  async list({ ownerId, limit, cursor, title }: PanoramaListQuery): Promise<Page<Panorama>> {
    const after = cursor ? decodeCursor(cursor) : undefined;
    const rows = await this.em.fork().find(
      Panorama,
      {
        ownerId,
        deletedAt: null,
        ...(title ? { title: { $ilike: `%${escapeLike(title)}%` } } : {}),
        ...(after ? { $or: [{ createdAt: { $lt: after.createdAt } }, { createdAt: after.createdAt, id: { $lt: after.id } }] } : {}),
      },
      { orderBy: { createdAt: 'desc', id: 'desc' }, limit: limit + 1 },
    );
    return toPage(rows, limit);
  }

  async update(id: string, changes: PanoramaChanges): Promise<Panorama | null> {
    const em = this.em.fork();
    const updated = await em.nativeUpdate(Panorama, { id, deletedAt: null }, changes);
    return updated > 0 ? em.findOne(Panorama, { id }) : null;
  }

  async markDeleted(id: string, at: Date): Promise<boolean> {
    return (await this.em.fork().nativeUpdate(Panorama, { id, deletedAt: null }, { deletedAt: at, updatedAt: at })) > 0;
  }

  async purge(id: string): Promise<void> {
    // tile_sets rows go by ON DELETE CASCADE.
    await this.em.fork().nativeDelete(Panorama, { id });
  }

  findDeleted(limit: number): Promise<Panorama[]> {
    return this.em.fork().find(Panorama, { deletedAt: { $ne: null } }, { orderBy: { deletedAt: 'asc' }, limit });
  }

  async usage(ownerId: string): Promise<{ panoramas: number; bytes: number }> {
    const [row] = await this.em
      .fork()
      .getConnection()
      .execute<{ panoramas: string; bytes: string }[]>(
        'select count(*) as panoramas, coalesce(sum(bytes), 0) as bytes from panoramas where owner_id = ?',
        [ownerId],
      );
    return { panoramas: Number(row?.panoramas ?? 0), bytes: Number(row?.bytes ?? 0) };
  }
}
