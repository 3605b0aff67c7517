import type { AttemptResult, WebhookEvent } from '../../domain/webhook.js';

/**
 * Sends one signed delivery (Standard Webhooks) and reports what came back. Never throws for
 * what the receiver or the network did: that is the result. Bounded by the configured timeout
 * and a cap on the bytes read back; refuses addresses that are not public unless allowed.
 */
export abstract class WebhookSender {
  abstract send(target: { url: string; secret: string }, event: WebhookEvent): Promise<AttemptResult>;
  /** Throws WebhookUrlForbiddenError for a URL that can never be delivered to (scheme, credentials, a forbidden IP literal). */
  abstract checkUrl(url: string): void;
}
