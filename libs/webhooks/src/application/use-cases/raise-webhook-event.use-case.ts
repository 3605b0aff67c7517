import { Injectable } from '@nestjs/common';
import { Clock, newId } from '#shared-kernel';
import type { WebhookEventType } from '../../domain/webhook.js';
import { WebhookRepository } from '../ports/webhook.repository.port.js';

/**
 * Records an event the application raises itself (the database records changes of
 * panoramas, tile sets and renditions on its own). Dispatchers are woken by the insert.
 */
@Injectable()
export class RaiseWebhookEventUseCase {
  constructor(
    private readonly webhooks: WebhookRepository,
    private readonly clock: Clock,
  ) {}

  async execute(type: WebhookEventType, ownerId: string, subjectId: string, data: Record<string, unknown>) {
    await this.webhooks.recordEvent({ id: newId(), type, ownerId, subjectId, data, createdAt: this.clock.now() });
  }
}
