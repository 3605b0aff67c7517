import { EntityManager, raw, UniqueConstraintViolationException } from '@mikro-orm/postgresql';
import { Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { LRUCache } from 'lru-cache';
import { ChangeFeed, type DerivativeChange, transitionUpdate } from '#shared-kernel';
import { TILE_SET_TRANSITIONS, type TileOptions, TileSet, TileSetRepository } from '#tiles';
import { ReadReplicas } from '../read-replicas/read-replicas.js';

/** Heard changes kept for read-your-writes on replicas; the oldest go first past this many. */
const MAX_HEARD = 10_000;

@Injectable()
export class MikroOrmTileSetRepository extends TileSetRepository implements OnModuleInit, OnModuleDestroy {
  /** When this process heard of each tile set's last change (local clock), the latest MAX_HEARD. */
  private readonly heard = new LRUCache<string, number>({ max: MAX_HEARD });
  /** When the change feed last reconnected (changes meanwhile unknown). */
  private heardAll = 0;
  private unsubscribe?: () => void;

  constructor(
    private readonly em: EntityManager,
    private readonly replicas: ReadReplicas,
    private readonly changes: ChangeFeed,
  ) {
    super();
  }

  onModuleInit(): void {
    if (!this.replicas.enabled) return;
    this.unsubscribe = this.changes.subscribe('tilesets', (id) =>
      id === undefined ? (this.heardAll = Date.now()) : this.changed(id),
    );
  }

  /** Notes a change of tile set `id`: heard from the feed, or made here (known before the feed says). */
  private changed(id: string): void {
    if (!this.replicas.enabled) return;
    this.heard.set(id, Date.now());
  }

  onModuleDestroy(): void {
    this.unsubscribe?.();
  }

  /**
   * In a stale-OK scope (descriptors, share pages) from a replica, but never one older than
   * the last change to this tile set this process heard of: a revoked share or a tile set
   * just made ready is never read back as it was before.
   */
  findById(id: string): Promise<TileSet | null> {
    const lastChange = Math.max(this.heard.peek(id) ?? 0, this.heardAll) || undefined;
    return this.replicas.read(() => this.em.fork().findOne(TileSet, { id }, { connectionType: 'read' }), lastChange);
  }

  findByPanorama(panoramaId: string): Promise<TileSet[]> {
    return this.em.fork().find(TileSet, { panoramaId }, { orderBy: { createdAt: 'asc', id: 'asc' } });
  }

  async findByPanoramas(panoramaIds: string[]): Promise<Map<string, TileSet[]>> {
    const byPanorama = new Map<string, TileSet[]>();
    if (panoramaIds.length === 0) return byPanorama;
    const rows = await this.replicas.read(() =>
      this.em
        .fork()
        .find(
          TileSet,
          { panoramaId: { $in: panoramaIds } },
          { orderBy: { createdAt: 'asc', id: 'asc' }, connectionType: 'read' },
        ),
    );
    for (const row of rows) byPanorama.set(row.panoramaId, [...(byPanorama.get(row.panoramaId) ?? []), row]);
    return byPanorama;
  }

  findByOptions(panoramaId: string, options: TileOptions): Promise<TileSet | null> {
    return this.em.fork().findOne(TileSet, { panoramaId, ...options });
  }

  async insertOrGet(tileSet: TileSet): Promise<{ tileSet: TileSet; created: boolean }> {
    try {
      await this.em.fork().insert(TileSet, { ...tileSet });
      this.changed(tileSet.id);
      return { tileSet, created: true };
    } catch (error) {
      if (!(error instanceof UniqueConstraintViolationException)) throw error;
      const existing = await this.findByOptions(tileSet.panoramaId, tileSet.options());
      if (!existing) throw error;
      return { tileSet: existing, created: false };
    }
  }

  async sampleReady(limit: number): Promise<TileSet[]> {
    const rows = await this.em
      .fork()
      .getConnection()
      .execute<{ id: string }[]>(`select id from tile_sets where status = 'ready' order by random() limit ?`, [limit]);
    return rows.length === 0 ? [] : this.em.fork().find(TileSet, { id: { $in: rows.map((r) => r.id) } });
  }

  findQueued(limit: number): Promise<TileSet[]> {
    return this.em.fork().find(TileSet, { status: 'queued' }, { orderBy: { createdAt: 'asc' }, limit });
  }

  markProcessing(id: string, at: Date): Promise<boolean> {
    return this.apply(id, { step: 'start' }, at, { progress: 0 });
  }

  async updateProgress(id: string, progress: number, at: Date): Promise<void> {
    await this.em.fork().nativeUpdate(TileSet, { id, status: 'processing' }, { progress, updatedAt: at });
    this.changed(id);
  }

  markReady(id: string, result: { levels: number; tileCount: number; bytes: number }, at: Date): Promise<boolean> {
    return this.apply(id, { step: 'finish' }, at, { ...result, progress: 1 });
  }

  markFailed(id: string, errorCode: string, at: Date): Promise<boolean> {
    return this.apply(id, { step: 'fail', errorCode }, at);
  }

  requeue(id: string, at: Date): Promise<boolean> {
    return this.apply(id, { step: 'requeue' }, at, { progress: 0 });
  }

  condemn(id: string, errorCode: string, at: Date): Promise<boolean> {
    return this.apply(id, { step: 'condemn', errorCode }, at);
  }

  /** One change of TILE_SET_TRANSITIONS as a conditional update, with the tile set's `own` fields. */
  private async apply(id: string, change: DerivativeChange, at: Date, own: Partial<TileSet> = {}): Promise<boolean> {
    const { from, set } = transitionUpdate(TILE_SET_TRANSITIONS, change, at);
    const changed = await this.em.fork().nativeUpdate(TileSet, { id, status: { $in: [...from] } }, { ...own, ...set });
    this.changed(id);
    return changed > 0;
  }

  async raiseShareEpoch(id: string, at: Date): Promise<boolean> {
    const changed = await this.em
      .fork()
      .nativeUpdate(TileSet, { id }, { shareEpoch: raw('share_epoch + 1'), updatedAt: at });
    this.changed(id);
    return changed > 0;
  }

  async delete(id: string): Promise<boolean> {
    const deleted = await this.em.fork().nativeDelete(TileSet, { id });
    this.changed(id);
    return deleted > 0;
  }
}
