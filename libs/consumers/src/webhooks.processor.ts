import { Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { SettleCollectionsUseCase } from '#collections';
import { ChangeFeed, JobQueue } from '#shared-kernel';
import { DELIVER_WEBHOOKS_JOB, DeliverWebhooksUseCase, DISPATCH_WEBHOOKS_JOB } from '#webhooks';

/**
 * Webhooks on the consumer side: dispatches recorded events as soon as the database
 * announces them (here, in this process: one hop less than a job), every minute in any case
 * (a scheduled job, for announcements nobody heard), and once at start; sends deliveries.
 * Each dispatch also settles collections (a member's tile set or rendition finishing is an
 * event too), and asks for another once a complete collection will have settled.
 */
@Injectable()
export class WebhooksProcessor implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(WebhooksProcessor.name);
  private unsubscribe?: () => void;
  /** One dispatch at a time in this process; an announcement during one asks for another. */
  private running?: Promise<void>;
  private again = false;

  constructor(
    private readonly queue: JobQueue,
    private readonly webhooks: DeliverWebhooksUseCase,
    private readonly changes: ChangeFeed,
    private readonly collections: SettleCollectionsUseCase,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.queue.work(DELIVER_WEBHOOKS_JOB, (stream) => this.webhooks.deliver(stream));
    await this.queue.work(DISPATCH_WEBHOOKS_JOB, () => this.dispatch());
    await this.queue.schedule(DISPATCH_WEBHOOKS_JOB, '* * * * *', {});
    this.unsubscribe = this.changes.subscribe('webhooks', () => this.dispatchSoon());
    this.dispatchSoon();
  }

  onModuleDestroy(): void {
    this.unsubscribe?.();
  }

  private async dispatch(): Promise<void> {
    await this.webhooks.dispatch();
    const settleIn = await this.collections.execute();
    if (settleIn !== null) await this.webhooks.requestDispatch(settleIn);
    // The completions just raised are events too.
    await this.webhooks.dispatch();
  }

  private dispatchSoon(): void {
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = (async () => {
      do {
        this.again = false;
        await this.dispatch();
      } while (this.again);
    })()
      .catch((error: unknown) => this.logger.warn({ err: error }, 'Webhook dispatch failed; the next tick retries'))
      .finally(() => {
        this.running = undefined;
        // Announced after the last pass looked: one more.
        if (this.again) this.dispatchSoon();
      });
  }
}
