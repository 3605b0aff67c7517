import { Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { ReconcileDeletionsUseCase } from '#panoramas';
import { RequeueQueuedTileSetsUseCase } from '#tiles';

/**
 * Re-sends what a crash may have lost between a commit and its enqueue: cutting jobs for
 * tile sets still queued, purge jobs for deletions that did not finish. Singleton keys make
 * it harmless when several processes start at once.
 */
@Injectable()
export class StartUpReconciler implements OnApplicationBootstrap {
  private readonly logger = new Logger(StartUpReconciler.name);

  constructor(
    private readonly requeueTileSets: RequeueQueuedTileSetsUseCase,
    private readonly reconcileDeletions: ReconcileDeletionsUseCase,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const [tileSets, deletions] = [await this.requeueTileSets.execute(), await this.reconcileDeletions.execute()];
    if (tileSets + deletions > 0) this.logger.log(`Re-enqueued ${tileSets} queued tile set(s) and ${deletions} unfinished deletion(s)`);
  }
}
