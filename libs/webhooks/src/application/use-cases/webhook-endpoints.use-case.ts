import { randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { Clock, newId } from '#shared-kernel';
import { ForbiddenError, type Principal } from '#users';
import { MAX_WEBHOOKS_PER_USER, WebhookEndpoint, type WebhookEventType } from '../../domain/webhook.js';
import { WebhookLimitReachedError, WebhookNotFoundError } from '../../domain/webhooks.errors.js';
import { type EndpointChanges, WebhookRepository } from '../ports/webhook.repository.port.js';
import { WebhookSender } from '../ports/webhook-sender.port.js';

export interface NewWebhookEndpoint {
  url: string;
  events: readonly WebhookEventType[];
  description?: string | null;
  /** Every user's events (admins only). */
  allUsers?: boolean;
}

/**
 * A user's webhook endpoints: registered with a signing secret (Standard Webhooks: `whsec_`
 * + 32 random bytes, shown once), listed, changed, deleted. Someone else's look missing.
 */
@Injectable()
export class WebhookEndpointsUseCase {
  constructor(
    private readonly webhooks: WebhookRepository,
    private readonly sender: WebhookSender,
    private readonly clock: Clock,
  ) {}

  async create(owner: Principal, input: NewWebhookEndpoint): Promise<WebhookEndpoint> {
    if (input.allUsers && owner.role !== 'admin') throw new ForbiddenError();
    this.sender.checkUrl(input.url);
    const now = this.clock.now();
    const endpoint = new WebhookEndpoint({
      id: newId(),
      ownerId: owner.userId,
      url: input.url,
      events: [...new Set(input.events)],
      description: input.description || null,
      allUsers: input.allUsers ?? false,
      enabled: true,
      secret: `whsec_${randomBytes(32).toString('base64')}`,
      createdAt: now,
      updatedAt: now,
    });
    if (!(await this.webhooks.insertEndpointWithin(endpoint, MAX_WEBHOOKS_PER_USER))) {
      throw new WebhookLimitReachedError(MAX_WEBHOOKS_PER_USER);
    }
    return endpoint;
  }

  list(ownerId: string): Promise<WebhookEndpoint[]> {
    return this.webhooks.listEndpoints(ownerId);
  }

  /** Throws WebhookNotFoundError unless the endpoint is the owner's. */
  async get(ownerId: string, id: string): Promise<WebhookEndpoint> {
    const endpoint = await this.webhooks.findEndpoint(id);
    if (!endpoint || endpoint.props.ownerId !== ownerId) throw new WebhookNotFoundError();
    return endpoint;
  }

  async update(ownerId: string, id: string, changes: EndpointChanges): Promise<WebhookEndpoint> {
    await this.get(ownerId, id);
    if (changes.url !== undefined) this.sender.checkUrl(changes.url);
    const events = changes.events && [...new Set(changes.events)];
    const description = changes.description === undefined ? undefined : changes.description || null;
    const updated = await this.webhooks.updateEndpoint(id, { ...changes, events, description }, this.clock.now());
    if (!updated) throw new WebhookNotFoundError();
    return updated;
  }

  async delete(ownerId: string, id: string): Promise<void> {
    await this.get(ownerId, id);
    if (!(await this.webhooks.deleteEndpoint(id))) throw new WebhookNotFoundError();
  }
}
