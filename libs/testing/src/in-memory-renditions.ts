import { assertWithinQuota, type Quota } from '#panoramas';
import { type Rendition, RenditionLimitReachedError, RenditionRepository, RENDITION_TRANSITIONS } from '#renditions';
import { applyTransition } from '#shared-kernel';
import type { InMemoryPanoramaRepository } from './in-memory-panoramas.js';

/**
 * In-memory RenditionRepository with the MikroORM adapter's contract. Wired to the
 * in-memory panoramas: ready renditions count in their owner's usage, and purging a
 * panorama removes its renditions (the database's cascade).
 */
export class InMemoryRenditionRepository extends RenditionRepository {
  readonly rows = new Map<string, Rendition>();

  constructor(private readonly panoramas: InMemoryPanoramaRepository) {
    super();
    panoramas.renditionBytes = (ownerId) =>
      [...this.rows.values()]
        .filter((r) => r.ownerId === ownerId && r.status === 'ready')
        .reduce((sum, r) => sum + (r.bytes ?? 0), 0);
    const purge = panoramas.purge.bind(panoramas);
    panoramas.purge = async (id: string) => {
      await purge(id);
      for (const [key, r] of this.rows) if (r.panoramaId === id) this.rows.delete(key);
    };
  }

  async findById(id: string) {
    return this.rows.get(id) ?? null;
  }

  async findByPanorama(panoramaId: string) {
    return [...this.rows.values()]
      .filter((r) => r.panoramaId === panoramaId)
      .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime());
  }

  async findByPanoramas(panoramaIds: string[]) {
    return new Map(await Promise.all(panoramaIds.map(async (id) => [id, await this.findByPanorama(id)] as const)));
  }

  async insertOrGet(rendition: Rendition, limit: number) {
    const existing = [...this.rows.values()].find(
      (r) => r.panoramaId === rendition.panoramaId && r.specKey === rendition.specKey,
    );
    if (existing) return { rendition: existing, created: false };
    if ((await this.findByPanorama(rendition.panoramaId)).length >= limit) throw new RenditionLimitReachedError(limit);
    this.rows.set(rendition.id, rendition);
    return { rendition, created: true };
  }

  async scanReady(afterId: string | undefined, limit: number) {
    return [...this.rows.values()]
      .filter((r) => r.status === 'ready' && (afterId === undefined || r.id > afterId))
      .sort((a, b) => (a.id < b.id ? -1 : 1))
      .slice(0, limit);
  }

  async condemn(id: string, errorCode: string, at: Date) {
    return applyTransition(this.rows.get(id), RENDITION_TRANSITIONS, { step: 'condemn', errorCode }, at);
  }

  async findQueued(limit: number) {
    return [...this.rows.values()].filter((r) => r.status === 'queued').slice(0, limit);
  }

  async markProcessing(id: string, at: Date) {
    return applyTransition(this.rows.get(id), RENDITION_TRANSITIONS, { step: 'start' }, at);
  }

  async markReady(id: string, file: { bytes: number; sha256: string }, quota: Quota, at: Date) {
    const rendition = this.rows.get(id);
    if (!rendition) return false;
    assertWithinQuota(quota, await this.panoramas.usage(rendition.ownerId), { panoramas: 0, bytes: file.bytes });
    return applyTransition(rendition, RENDITION_TRANSITIONS, { step: 'finish' }, at, file);
  }

  async markFailed(id: string, errorCode: string, at: Date) {
    return applyTransition(this.rows.get(id), RENDITION_TRANSITIONS, { step: 'fail', errorCode }, at);
  }

  async requeue(id: string, at: Date) {
    return applyTransition(this.rows.get(id), RENDITION_TRANSITIONS, { step: 'requeue' }, at);
  }

  async raiseShareEpoch(id: string, at: Date) {
    const r = this.rows.get(id);
    if (!r) return false;
    Object.assign(r, { shareEpoch: r.shareEpoch + 1, updatedAt: at });
    return true;
  }

  async delete(id: string) {
    return this.rows.delete(id);
  }
}
