import { Module } from '@nestjs/common';
import { AppConfig } from '#config';
import { Clock, JobQueue, SystemClock } from '#shared-kernel';
import { webhookJobPolicies } from './application/jobs.js';
import { WebhookSender } from './application/ports/webhook-sender.port.js';
import { DeliverWebhooksUseCase } from './application/use-cases/deliver-webhooks.use-case.js';
import { RaiseWebhookEventUseCase } from './application/use-cases/raise-webhook-event.use-case.js';
import { WebhookDeliveriesUseCase } from './application/use-cases/webhook-deliveries.use-case.js';
import { WebhookEndpointsUseCase } from './application/use-cases/webhook-endpoints.use-case.js';
import { WebhooksSettings } from './application/webhooks.settings.js';
import { HttpWebhookSender } from './infrastructure/http-webhook-sender.js';

const WEBHOOK_JOBS_DECLARED = Symbol('webhook jobs declared');
const useCases = [WebhookEndpointsUseCase, WebhookDeliveriesUseCase, DeliverWebhooksUseCase, RaiseWebhookEventUseCase];

/**
 * Webhooks: endpoints, their delivery log, and the dispatch and delivery of events. Needs
 * WebhookRepository (PersistenceModule), JobQueue (QueueModule) and AppConfig.
 */
@Module({
  providers: [
    ...useCases,
    { provide: Clock, useClass: SystemClock },
    { provide: WebhookSender, useClass: HttpWebhookSender },
    {
      provide: WebhooksSettings,
      inject: [AppConfig],
      useFactory: (config: AppConfig): WebhooksSettings => ({
        timeoutSeconds: config.WEBHOOK_TIMEOUT_SECONDS,
        maxAttempts: config.WEBHOOK_MAX_ATTEMPTS,
        retryDelaySeconds: config.WEBHOOK_RETRY_DELAY_SECONDS,
      }),
    },
    {
      provide: WEBHOOK_JOBS_DECLARED,
      inject: [JobQueue, AppConfig],
      useFactory: (queue: JobQueue, config: AppConfig) =>
        queue.declare(webhookJobPolicies({ timeoutSeconds: config.WEBHOOK_TIMEOUT_SECONDS })),
    },
  ],
  exports: [...useCases],
})
export class WebhooksModule {}
