import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { ReconcileDeletionsUseCase } from '#panoramas';
import { RequeueQueuedRenditionsUseCase } from '#renditions';
import { RequeueQueuedTileSetsUseCase } from '#tiles';

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
    private readonly requeueTileSets: RequeueQueuedTileSetsUseCase,
    private readonly requeueRenditions: RequeueQueuedRenditionsUseCase,
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
    const tileSets = await this.requeueTileSets.execute();
    const renditions = await this.requeueRenditions.execute();
    const deletions = await this.reconcileDeletions.execute();
    if (tileSets + renditions + deletions > 0)
      this.logger.log(
        `Re-sent jobs for ${tileSets} queued tile set(s), ${renditions} queued rendition(s) and ${deletions} unfinished deletion(s)`,
      );
  }
}
