import { Injectable, Logger } from '@nestjs/common';
import { Clock, JobQueue } from '#shared-kernel';
import { isDelivered, retryDelaySeconds } from '../../domain/webhook.js';
import { DELIVER_WEBHOOKS_JOB, DISPATCH_WEBHOOKS_JOB, streamKey } from '../jobs.js';
import { type DeliveryStream, WebhookRepository } from '../ports/webhook.repository.port.js';
import { WebhookSender } from '../ports/webhook-sender.port.js';
import { WebhooksSettings } from '../webhooks.settings.js';

/** Deliveries one run sends before it hands the rest of its stream to a fresh job. */
export const DELIVERIES_PER_RUN = 50;
/** Events one dispatch transaction takes. */
const DISPATCH_BATCH = 200;

/**
 * The delivery side of webhooks:
 * - dispatch: recorded events become pending deliveries, one per endpoint that wants them,
 *   and each stream that got one gets its job (in the same transaction);
 * - deliver: a stream's pending deliveries go out one at a time in event order. A failure
 *   records the attempt and schedules the stream again after the backoff (nothing after it
 *   in the stream overtakes it); after WEBHOOK_MAX_ATTEMPTS the delivery is failed (it can
 *   be replayed) and the stream moves on. A run killed mid-send is retried by the queue,
 *   which sends the same delivery again: receivers de-duplicate by webhook-id.
 */
@Injectable()
export class DeliverWebhooksUseCase {
  private readonly logger = new Logger(DeliverWebhooksUseCase.name);

  constructor(
    private readonly webhooks: WebhookRepository,
    private readonly sender: WebhookSender,
    private readonly queue: JobQueue,
    private readonly settings: WebhooksSettings,
    private readonly clock: Clock,
  ) {}

  /** Dispatches every recorded event; returns how many. */
  async dispatch(): Promise<number> {
    let total = 0;
    for (;;) {
      const dispatched = await this.webhooks.dispatch(DISPATCH_BATCH, this.clock.now(), async (within, streams) => {
        for (const stream of streams) {
          await this.queue.enqueue(DELIVER_WEBHOOKS_JOB, stream, { singletonKey: streamKey(stream), within });
        }
      });
      total += dispatched;
      if (dispatched < DISPATCH_BATCH) return total;
    }
  }

  /** Asks for a dispatch in `afterSeconds` (any process with the consumers runs it). */
  async requestDispatch(afterSeconds: number): Promise<void> {
    await this.queue.enqueue(DISPATCH_WEBHOOKS_JOB, {}, { singletonKey: 'dispatch', startAfterSeconds: afterSeconds });
  }

  async deliver(stream: DeliveryStream): Promise<void> {
    for (let sent = 0; sent < DELIVERIES_PER_RUN; sent++) {
      const next = await this.webhooks.nextDelivery(stream);
      if (!next) return;
      const { delivery, event, endpoint } = next;
      const wait = Math.ceil((delivery.nextAttemptAt.getTime() - this.clock.now().getTime()) / 1000);
      if (wait > 0) return this.again(stream, wait);
      if (!endpoint.props.enabled) {
        await this.webhooks.recordAttempt(
          delivery.id,
          { statusCode: null, error: 'the endpoint is disabled', durationMs: 0 },
          'failed',
          this.clock.now(),
          this.clock.now(),
        );
        continue;
      }
      const result = await this.sender.send({ url: endpoint.props.url, secret: endpoint.props.secret }, event);
      const attempts = delivery.attempts + 1;
      const now = this.clock.now();
      if (isDelivered(result)) {
        await this.webhooks.recordAttempt(delivery.id, result, 'delivered', now, now);
        continue;
      }
      if (attempts >= this.settings.maxAttempts) {
        this.logger.warn({ deliveryId: delivery.id, endpointId: endpoint.id, attempts }, 'Webhook delivery failed');
        await this.webhooks.recordAttempt(delivery.id, result, 'failed', now, now);
        continue;
      }
      const delay = retryDelaySeconds(attempts, this.settings.retryDelaySeconds);
      await this.webhooks.recordAttempt(delivery.id, result, 'pending', new Date(now.getTime() + delay * 1000), now);
      return this.again(stream, delay);
    }
    // More than one run's worth: the rest in a fresh job (others' streams get a turn).
    await this.again(stream, 0);
  }

  private async again(stream: DeliveryStream, afterSeconds: number): Promise<void> {
    await this.queue.enqueue(DELIVER_WEBHOOKS_JOB, stream, {
      singletonKey: streamKey(stream),
      ...(afterSeconds > 0 ? { startAfterSeconds: afterSeconds } : {}),
    });
  }
}
