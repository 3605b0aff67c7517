import { Injectable } from '@nestjs/common';
import { Clock, JobQueue, newId, type Page, type PageRequest } from '#shared-kernel';
import { type DeliveryStatus, isDelivered, PING_EVENT, type WebhookDelivery } from '../../domain/webhook.js';
import { WebhookDeliveryNotFoundError } from '../../domain/webhooks.errors.js';
import { DELIVER_WEBHOOKS_JOB, streamKey } from '../jobs.js';
import { WebhookRepository } from '../ports/webhook.repository.port.js';
import { WebhookSender } from '../ports/webhook-sender.port.js';
import { WebhookEndpointsUseCase } from './webhook-endpoints.use-case.js';

/** An endpoint's delivery log, as its owner reads it: list, replay one, send a ping now. */
@Injectable()
export class WebhookDeliveriesUseCase {
  constructor(
    private readonly endpoints: WebhookEndpointsUseCase,
    private readonly webhooks: WebhookRepository,
    private readonly sender: WebhookSender,
    private readonly queue: JobQueue,
    private readonly clock: Clock,
  ) {}

  async list(
    ownerId: string,
    endpointId: string,
    page: PageRequest,
    status?: DeliveryStatus,
  ): Promise<Page<WebhookDelivery>> {
    await this.endpoints.get(ownerId, endpointId);
    return this.webhooks.listDeliveries(endpointId, page, status);
  }

  /** Sends the delivery's event again (same webhook-id), after whatever the stream has pending. */
  async replay(ownerId: string, endpointId: string, deliveryId: string): Promise<WebhookDelivery> {
    await this.endpoints.get(ownerId, endpointId);
    const delivery = await this.webhooks.findDelivery(endpointId, deliveryId);
    if (!delivery) throw new WebhookDeliveryNotFoundError();
    const stream = { endpointId, subjectId: delivery.subjectId };
    return this.webhooks.replay(delivery, this.clock.now(), (within) =>
      this.queue
        .enqueue(DELIVER_WEBHOOKS_JOB, stream, { singletonKey: streamKey(stream), within })
        .then(() => undefined),
    );
  }

  /** Sends a `webhook.ping` at once (not queued, not retried) and logs it like any delivery. */
  async ping(ownerId: string, endpointId: string): Promise<WebhookDelivery> {
    const endpoint = await this.endpoints.get(ownerId, endpointId);
    const now = this.clock.now();
    const event = {
      id: newId(),
      type: PING_EVENT,
      ownerId,
      subjectId: endpointId,
      data: { webhookId: endpointId, message: 'Tessera webhook test' },
      createdAt: now,
    } as const;
    const result = await this.sender.send({ url: endpoint.props.url, secret: endpoint.props.secret }, event);
    const status = isDelivered(result) ? 'delivered' : 'failed';
    return this.webhooks.insertSentDelivery(endpointId, event, result, status, this.clock.now());
  }
}
