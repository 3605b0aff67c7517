import { Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { AppConfig } from '#config';
import { JobQueue } from '#shared-kernel';
import { SAMPLE_TILE_INTEGRITY_JOB, SampleTileIntegrityUseCase } from '#tiles';

/** Schedules (INTEGRITY_SAMPLE_CRON) and runs the integrity sample check. */
@Injectable()
export class IntegritySampleProcessor implements OnApplicationBootstrap {
  constructor(
    private readonly queue: JobQueue,
    private readonly sample: SampleTileIntegrityUseCase,
    private readonly config: AppConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.queue.work(SAMPLE_TILE_INTEGRITY_JOB, async ({ tiles }) => {
      await this.sample.execute(tiles);
    });
    const cron = this.config.INTEGRITY_SAMPLE_CRON === 'off' ? '' : this.config.INTEGRITY_SAMPLE_CRON;
    await this.queue.schedule(SAMPLE_TILE_INTEGRITY_JOB, cron, {
      tiles: this.config.INTEGRITY_SAMPLE_TILES,
    });
  }
}
