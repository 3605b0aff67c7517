import { Injectable, Logger } from '@nestjs/common';
import { Clock } from '#shared-kernel';
import { RaiseWebhookEventUseCase } from '#webhooks';
import { completionDue } from '../../domain/collection.js';
import { CollectionRepository } from '../ports/collection.repository.port.js';
import { CollectionsSettings } from '../collections.settings.js';

const BATCH = 100;

/**
 * Raises `collection.completed` (a webhook event) for each collection that is complete
 * again since it last was, once nothing has changed in it for COLLECTION_SETTLE_SECONDS (a
 * batch whose next upload is on its way is not complete). Runs after every webhook
 * dispatch (so right after a member finished) and every minute; returns the soonest time
 * another run is needed (a collection complete but not settled yet), or null.
 */
@Injectable()
export class SettleCollectionsUseCase {
  private readonly logger = new Logger(SettleCollectionsUseCase.name);

  constructor(
    private readonly collections: CollectionRepository,
    private readonly raise: RaiseWebhookEventUseCase,
    private readonly settings: CollectionsSettings,
    private readonly clock: Clock,
  ) {}

  async execute(): Promise<number | null> {
    let soonest: number | null = null;
    for (const id of await this.collections.unsettled(BATCH)) {
      const status = await this.collections.status(id);
      if (!status) continue;
      const now = this.clock.now();
      const due = completionDue(status, now, this.settings.settleSeconds);
      if (due === 'later') {
        const wait = Math.max(
          1,
          Math.ceil((status.changedAt.getTime() + this.settings.settleSeconds * 1000 - now.getTime()) / 1000),
        );
        soonest = soonest === null ? wait : Math.min(soonest, wait);
        continue;
      }
      if (due !== 'due') continue;
      const collection = await this.collections.findById(id);
      if (!collection || !(await this.collections.markCompleted(status, now))) continue; // changed, or another run won
      try {
        await this.raise.execute('collection.completed', collection.props.ownerId, id, {
          collectionId: id,
          name: collection.props.name,
          panoramas: status.panoramas,
          tileSets: status.tileSets,
          renditions: status.renditions,
          allReady: status.tileSets.failed === 0 && status.renditions.failed === 0,
        });
        this.logger.log({ collectionId: id }, 'Collection completed');
      } catch (error) {
        await this.collections.unmarkCompleted(id, status.completedAt);
        throw error;
      }
    }
    return soonest;
  }
}
