import { EntityManager, raw, UniqueConstraintViolationException } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { ReadReplicas } from '../read-replicas/read-replicas.js';
import { assertWithinQuota, OwnerNotFoundError, type Quota } from '#panoramas';
import { Rendition, RenditionLimitReachedError, RenditionRepository, RENDITION_TRANSITIONS } from '#renditions';
import { type DerivativeChange, transitionUpdate } from '#shared-kernel';
import { ownerUsage } from './owner-usage.js';

const ORDER = { orderBy: { createdAt: 'asc', id: 'asc' } } as const;

@Injectable()
export class MikroOrmRenditionRepository extends RenditionRepository {
  constructor(
    private readonly em: EntityManager,
    private readonly replicas: ReadReplicas,
  ) {
    super();
  }

  findById(id: string): Promise<Rendition | null> {
    return this.em.fork().findOne(Rendition, { id });
  }

  findByPanorama(panoramaId: string): Promise<Rendition[]> {
    return this.em.fork().find(Rendition, { panoramaId }, ORDER);
  }

  async findByPanoramas(panoramaIds: string[]): Promise<Map<string, Rendition[]>> {
    const byPanorama = new Map<string, Rendition[]>();
    if (panoramaIds.length === 0) return byPanorama;
    const rows = await this.replicas.read(() =>
      this.em.fork().find(Rendition, { panoramaId: { $in: panoramaIds } }, { ...ORDER, connectionType: 'read' }),
    );
    for (const row of rows) byPanorama.set(row.panoramaId, [...(byPanorama.get(row.panoramaId) ?? []), row]);
    return byPanorama;
  }

  async insertOrGet(rendition: Rendition, limit: number): Promise<{ rendition: Rendition; created: boolean }> {
    try {
      return await this.em.fork().transactional(async (em) => {
        // The panorama's row lock orders racing requests: each counts what the others committed.
        await em
          .getConnection()
          .execute(
            'select id from panoramas where id = ? for update',
            [rendition.panoramaId],
            'all',
            em.getTransactionContext(),
          );
        const existing = await em.findOne(Rendition, { panoramaId: rendition.panoramaId, specKey: rendition.specKey });
        if (existing) return { rendition: existing, created: false };
        if ((await em.count(Rendition, { panoramaId: rendition.panoramaId })) >= limit) {
          throw new RenditionLimitReachedError(limit);
        }
        await em.insert(Rendition, { ...rendition });
        return { rendition, created: true };
      });
    } catch (error) {
      // Without the lock's protection only if the panorama row is gone; still: the winner's.
      if (!(error instanceof UniqueConstraintViolationException)) throw error;
      const existing = await this.em
        .fork()
        .findOne(Rendition, { panoramaId: rendition.panoramaId, specKey: rendition.specKey });
      if (!existing) throw error;
      return { rendition: existing, created: false };
    }
  }

  scanReady(afterId: string | undefined, limit: number): Promise<Rendition[]> {
    return this.em
      .fork()
      .find(
        Rendition,
        { status: 'ready', ...(afterId ? { id: { $gt: afterId } } : {}) },
        { orderBy: { id: 'asc' }, limit },
      );
  }

  findQueued(limit: number): Promise<Rendition[]> {
    return this.em.fork().find(Rendition, { status: 'queued' }, { orderBy: { createdAt: 'asc' }, limit });
  }

  markProcessing(id: string, at: Date): Promise<boolean> {
    return this.apply(this.em.fork(), id, { step: 'start' }, at);
  }

  markReady(id: string, file: { bytes: number; sha256: string }, quota: Quota, at: Date): Promise<boolean> {
    return this.em.fork().transactional(async (em) => {
      const rendition = await em.findOne(Rendition, { id });
      if (!rendition) return false;
      // The owner's row lock serialises every commit that adds bytes (uploads too).
      const owner = await em
        .getConnection()
        .execute(
          'select id from users where id = ? for update',
          [rendition.ownerId],
          'all',
          em.getTransactionContext(),
        );
      if (owner.length === 0) throw new OwnerNotFoundError();
      assertWithinQuota(quota, await ownerUsage(em, rendition.ownerId), { panoramas: 0, bytes: file.bytes });
      return this.apply(em, id, { step: 'finish' }, at, file);
    });
  }

  markFailed(id: string, errorCode: string, at: Date): Promise<boolean> {
    return this.apply(this.em.fork(), id, { step: 'fail', errorCode }, at);
  }

  condemn(id: string, errorCode: string, at: Date): Promise<boolean> {
    return this.apply(this.em.fork(), id, { step: 'condemn', errorCode }, at);
  }

  requeue(id: string, at: Date): Promise<boolean> {
    return this.apply(this.em.fork(), id, { step: 'requeue' }, at);
  }

  /** One change of RENDITION_TRANSITIONS as a conditional update, with the rendition's `own` fields. */
  private async apply(
    em: EntityManager,
    id: string,
    change: DerivativeChange,
    at: Date,
    own: Partial<Rendition> = {},
  ): Promise<boolean> {
    const { from, set } = transitionUpdate(RENDITION_TRANSITIONS, change, at);
    const changed = await em.nativeUpdate(Rendition, { id, status: { $in: [...from] } }, { ...own, ...set });
    return changed > 0;
  }

  async raiseShareEpoch(id: string, at: Date): Promise<boolean> {
    const changed = await this.em
      .fork()
      .nativeUpdate(Rendition, { id }, { shareEpoch: raw('share_epoch + 1'), updatedAt: at });
    return changed > 0;
  }

  async delete(id: string): Promise<boolean> {
    return (await this.em.fork().nativeDelete(Rendition, { id })) > 0;
  }
}
