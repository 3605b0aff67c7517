import { EntityManager, UniqueConstraintViolationException } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { type TileOptions, TileSet, TileSetRepository } from '#tiles';

@Injectable()
export class MikroOrmTileSetRepository extends TileSetRepository {
  constructor(private readonly em: EntityManager) {
    super();
  }

  findById(id: string): Promise<TileSet | null> {
    return this.em.fork().findOne(TileSet, { id });
  }

  findByPanorama(panoramaId: string): Promise<TileSet[]> {
    return this.em.fork().find(TileSet, { panoramaId }, { orderBy: { createdAt: 'asc', id: 'asc' } });
  }

  async findByPanoramas(panoramaIds: string[]): Promise<Map<string, TileSet[]>> {
    const byPanorama = new Map<string, TileSet[]>();
    if (panoramaIds.length === 0) return byPanorama;
    const rows = await this.em.fork().find(TileSet, { panoramaId: { $in: panoramaIds } }, { orderBy: { createdAt: 'asc', id: 'asc' } });
    for (const row of rows) byPanorama.set(row.panoramaId, [...(byPanorama.get(row.panoramaId) ?? []), row]);
    return byPanorama;
  }

  findByOptions(panoramaId: string, options: TileOptions): Promise<TileSet | null> {
    return this.em.fork().findOne(TileSet, { panoramaId, ...options });
  }

  async insertOrGet(tileSet: TileSet): Promise<{ tileSet: TileSet; created: boolean }> {
    try {
      await this.em.fork().insert(TileSet, { ...tileSet });
      return { tileSet, created: true };
    } catch (error) {
      if (!(error instanceof UniqueConstraintViolationException)) throw error;
      const existing = await this.findByOptions(tileSet.panoramaId, tileSet.options());
      if (!existing) throw error;
      return { tileSet: existing, created: false };
    }
  }

  findQueued(limit: number): Promise<TileSet[]> {
    return this.em.fork().find(TileSet, { status: 'queued' }, { orderBy: { createdAt: 'asc' }, limit });
  }
}
