import { Injectable } from '@nestjs/common';
import { JobQueue } from '#shared-kernel';
import { PURGE_PANORAMA_JOB } from '../jobs.js';
import { PanoramaRepository } from '../ports/panorama.repository.port.js';

/** Start-up: every deletion that did not finish gets a purge job (no-op if one waits). */
@Injectable()
export class ReconcileDeletionsUseCase {
  constructor(
    private readonly panoramas: PanoramaRepository,
    private readonly queue: JobQueue,
  ) {}

  async execute(): Promise<number> {
    const pending = await this.panoramas.findDeleted(10_000);
    for (const panorama of pending) {
      await this.queue.enqueue(PURGE_PANORAMA_JOB, { panoramaId: panorama.id }, { singletonKey: panorama.id });
    }
    return pending.length;
  }
}
