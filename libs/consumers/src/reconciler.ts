import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { ReconcileDeletionsUseCase } from '#panoramas';
import { RenditionJobs } from '#renditions';
import { TileSetJobs } from '#tiles';

const INTERVAL_MS = 5 * 60_000;

/**
 * Re-sends what a crash or a queue hiccup may have lost between a commit and its enqueue:
 * cutting jobs for tile sets still queued, render jobs for renditions still queued, purge
 * jobs for deletions that did not finish.
 * Runs at start-up and every five minutes; singleton keys make repeats harmless.
 */
@Injectable()
export class Reconciler implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(Reconciler.name);
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly tileSetJobs: TileSetJobs,
    private readonly renditionJobs: RenditionJobs,
    private readonly reconcileDeletions: ReconcileDeletionsUseCase,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.run();
    this.timer = setInterval(
      () => void this.run().catch((error: unknown) => this.logger.warn({ err: error }, 'Reconciliation failed')),
      INTERVAL_MS,
    );
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  async run(): Promise<void> {
    const tileSets = await this.tileSetJobs.requeueQueued();
    const renditions = await this.renditionJobs.requeueQueued();
    const deletions = await this.reconcileDeletions.execute();
    if (tileSets + renditions + deletions > 0)
      this.logger.log(
        `Re-sent jobs for ${tileSets} queued tile set(s), ${renditions} queued rendition(s) and ${deletions} unfinished deletion(s)`,
      );
  }
}
