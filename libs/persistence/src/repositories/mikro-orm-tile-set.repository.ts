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

  async markProcessing(id: string, at: Date): Promise<boolean> {
    const changed = await this.em.fork().nativeUpdate(
      TileSet,
      { id, status: { $ne: 'ready' } },
      { status: 'processing', progress: 0, errorCode: null, startedAt: at, completedAt: null, updatedAt: at },
    );
    return changed > 0;
  }

  async updateProgress(id: string, progress: number, at: Date): Promise<void> {
    await this.em.fork().nativeUpdate(TileSet, { id, status: 'processing' }, { progress, updatedAt: at });
  }

  async markReady(id: string, result: { levels: number; tileCount: number; bytes: number }, at: Date): Promise<boolean> {
    const changed = await this.em
      .fork()
      .nativeUpdate(TileSet, { id, status: 'processing' }, { ...result, status: 'ready', progress: 1, completedAt: at, updatedAt: at });
    return changed > 0;
  }

  async markFailed(id: string, errorCode: string, at: Date): Promise<void> {
    await this.em.fork().nativeUpdate(TileSet, { id, status: { $ne: 'ready' } }, { status: 'failed', errorCode, completedAt: at, updatedAt: at });
  }

  async delete(id: string): Promise<boolean> {
    return (await this.em.fork().nativeDelete(TileSet, { id })) > 0;
  }
}
