import { Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { PURGE_PANORAMA_JOB, PurgePanoramaUseCase } from '#panoramas';
import { JobQueue } from '#shared-kernel';

/** Finishes deletions whose inline purge failed (storage down): retried with backoff. */
@Injectable()
export class PurgePanoramaProcessor implements OnApplicationBootstrap {
  constructor(
    private readonly queue: JobQueue,
    private readonly purge: PurgePanoramaUseCase,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.queue.work(PURGE_PANORAMA_JOB, ({ panoramaId }) => this.purge.execute(panoramaId));
  }
}
