import { Injectable, Logger } from '@nestjs/common';
import type { Panorama } from '#panoramas';
import { Clock, newId } from '#shared-kernel';
import { FILE_EXTENSIONS, normaliseSpec, type RenditionRequest, specKey } from '../domain/rendition-spec.js';
import { Rendition } from '../domain/rendition.js';
import { RenditionRepository } from './ports/rendition.repository.port.js';
import { RenditionJobs } from './rendition-derivative.js';
import { RenditionsSettings } from './renditions.settings.js';

/**
 * Renditions asked for (by hand or by a preset), and their render jobs: the one place that
 * creates and enqueues them. The same spec twice is the same rendition.
 */
@Injectable()
export class RenditionRequests {
  private readonly logger = new Logger(RenditionRequests.name);

  constructor(
    private readonly renditions: RenditionRepository,
    private readonly jobs: RenditionJobs,
    private readonly settings: RenditionsSettings,
    private readonly clock: Clock,
  ) {}

  /**
   * The rendition of `panorama` for `request`: the existing one (made again if it had
   * failed: `retried`), or a new one stored and enqueued (`created`).
   */
  async ensure(
    panorama: Panorama,
    request: RenditionRequest,
    name: string | null,
  ): Promise<{ rendition: Rendition; created: boolean; retried: boolean }> {
    const spec = normaliseSpec(request, panorama);
    const id = newId();
    const now = this.clock.now();
    const result = await this.renditions.insertOrGet(
      new Rendition({
        id,
        panoramaId: panorama.id,
        ownerId: panorama.ownerId,
        name,
        ...spec,
        specKey: specKey(spec),
        // Beside the original: purging the panorama's prefix removes its renditions too.
        key: `${panorama.originalPrefix()}renditions/${id}.${FILE_EXTENSIONS[spec.format]}`,
        status: 'queued',
        bytes: null,
        sha256: null,
        errorCode: null,
        shareEpoch: 0,
        createdAt: now,
        updatedAt: now,
        startedAt: null,
        completedAt: null,
      }),
      this.settings.maxPerPanorama,
    );
    let { rendition } = result;
    const retried = rendition.status === 'failed' && (await this.retry(rendition.id));
    if (retried) rendition = (await this.renditions.findById(rendition.id)) ?? rendition;
    if (result.created) await this.enqueueCommitted(rendition.id);
    return { rendition, created: result.created, retried };
  }

  /** A failed rendition queued again and its job sent; false if it was not failed (any more). */
  async retry(renditionId: string): Promise<boolean> {
    if (!(await this.renditions.requeue(renditionId, this.clock.now()))) return false;
    await this.enqueueCommitted(renditionId);
    return true;
  }

  /** Committed as queued: if the job cannot be sent now, the reconciler sends it later. */
  private async enqueueCommitted(renditionId: string): Promise<void> {
    await this.jobs
      .enqueue(renditionId)
      .catch((error: unknown) =>
        this.logger.warn({ renditionId, err: error }, 'Enqueue failed; the reconciler will retry'),
      );
  }
}
