import { Injectable, Logger } from '@nestjs/common';
import { type Panorama, PanoramaRepository } from '#panoramas';
import {
  assertReadable,
  ChangeFeed,
  Clock,
  DerivativeAccess,
  DerivativeJobs,
  type DerivativeKind,
  DerivativeShares,
  DerivativeWatch,
  JobQueue,
  type Reader,
} from '#shared-kernel';
import type { Rendition } from '../domain/rendition.js';
import { RenditionNotFoundError } from '../domain/renditions.errors.js';
import { RENDER_RENDITION_JOB } from './jobs.js';
import { RenditionRepository } from './ports/rendition.repository.port.js';

/**
 * A rendition as a derived image: the shared services of `#shared-kernel`'s
 * derivative-services bound to renditions' repository, words and job.
 */
export const RENDITION_KIND: DerivativeKind = {
  share: 'rendition',
  channel: 'renditions',
  job: (id) => ({ name: RENDER_RENDITION_JOB, payload: { renditionId: id } }),
  notFound: () => new RenditionNotFoundError(),
};

/**
 * Loads a rendition for an actor, as panoramas are: missing, of a deleted panorama and
 * someone else's all end in the same RenditionNotFoundError.
 */
@Injectable()
export class RenditionAccess extends DerivativeAccess<Rendition> {
  constructor(
    renditions: RenditionRepository,
    private readonly panoramas: PanoramaRepository,
  ) {
    super(renditions, RENDITION_KIND);
  }

  /** The rendition and its panorama; a share link's reader gets ShareLinkRevokedError once revoked. */
  async readableWithPanorama(reader: Reader, id: string): Promise<{ rendition: Rendition; panorama: Panorama }> {
    const rendition = await super.load(id, (found) => {
      assertReadable(reader, 'rendition', found, () => new RenditionNotFoundError());
      return true;
    });
    return { rendition, panorama: await this.panoramaOf(rendition) };
  }

  protected override async load(id: string, allowed: (rendition: Rendition) => boolean): Promise<Rendition> {
    const rendition = await super.load(id, allowed);
    await this.panoramaOf(rendition);
    return rendition;
  }

  private async panoramaOf(rendition: Rendition): Promise<Panorama> {
    const panorama = await this.panoramas.findById(rendition.panoramaId);
    if (!panorama) throw new RenditionNotFoundError();
    return panorama;
  }
}

/** Share links of a rendition (signed by the HTTP edge) and revoking them all at once. Owners only. */
@Injectable()
export class RenditionSharesUseCase extends DerivativeShares<Rendition> {
  constructor(access: RenditionAccess, renditions: RenditionRepository, clock: Clock) {
    super(access, renditions, clock, RENDITION_KIND);
  }
}

/** Live renditions for status streams. */
@Injectable()
export class RenditionWatch extends DerivativeWatch<Rendition> {
  constructor(renditions: RenditionRepository, changes: ChangeFeed) {
    const logger = new Logger(RenditionWatch.name);
    super(renditions, changes, RENDITION_KIND, (error, id) =>
      logger.warn({ err: error, renditionId: id }, 'Reading a watched rendition failed'),
    );
  }
}

/** Render jobs: the one place that sends them, and the start-up requeue of queued renditions. */
@Injectable()
export class RenditionJobs extends DerivativeJobs<Rendition> {
  constructor(renditions: RenditionRepository, queue: JobQueue) {
    super(renditions, queue, RENDITION_KIND);
  }
}
