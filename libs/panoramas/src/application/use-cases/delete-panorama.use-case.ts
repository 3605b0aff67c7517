import { Injectable, Logger } from '@nestjs/common';
import { Clock, JobQueue } from '#shared-kernel';
import type { Actor } from '../../domain/panorama.js';
import { PanoramaNotFoundError } from '../../domain/panoramas.errors.js';
import { PURGE_PANORAMA_JOB } from '../jobs.js';
import { PanoramaAccess } from '../panorama-access.service.js';
import { PanoramaRepository } from '../ports/panorama.repository.port.js';
import { PurgePanoramaUseCase } from './purge-panorama.use-case.js';

/**
 * Deletes a panorama with everything stored for it. It disappears for readers at once;
 * the stored objects are purged right away, and if that fails part-way (storage down) a
 * purge job with retries finishes it.
 */
@Injectable()
export class DeletePanoramaUseCase {
  private readonly logger = new Logger(DeletePanoramaUseCase.name);

  constructor(
    private readonly access: PanoramaAccess,
    private readonly panoramas: PanoramaRepository,
    private readonly purge: PurgePanoramaUseCase,
    private readonly queue: JobQueue,
    private readonly clock: Clock,
  ) {}

  async execute(actor: Actor, id: string): Promise<void> {
    await this.access.writable(actor, id);
    if (!(await this.panoramas.markDeleted(id, this.clock.now()))) throw new PanoramaNotFoundError();
    try {
      await this.purge.execute(id);
    } catch (error) {
      this.logger.warn({ panoramaId: id, err: error }, 'Purge failed; queued for retry');
      await this.queue.enqueue(PURGE_PANORAMA_JOB, { panoramaId: id }, { singletonKey: id });
    }
  }
}
