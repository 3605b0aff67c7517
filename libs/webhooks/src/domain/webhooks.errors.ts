import { DomainError } from '#shared-kernel';

export const WEBHOOKS_ERROR_CODES = [
  'WEBHOOK_NOT_FOUND',
  'WEBHOOK_DELIVERY_NOT_FOUND',
  'WEBHOOK_LIMIT_REACHED',
  'WEBHOOK_URL_FORBIDDEN',
] as const;
export type WebhooksErrorCode = (typeof WEBHOOKS_ERROR_CODES)[number];

export abstract class WebhooksError extends DomainError {
  abstract override readonly code: WebhooksErrorCode;
}

/** Missing and someone else's look the same. */
export class WebhookNotFoundError extends WebhooksError {
  readonly code = 'WEBHOOK_NOT_FOUND';
  constructor() {
    super('No webhook endpoint with this id exists.');
  }
}

export class WebhookDeliveryNotFoundError extends WebhooksError {
  readonly code = 'WEBHOOK_DELIVERY_NOT_FOUND';
  constructor() {
    super('No delivery with this id exists for this endpoint.');
  }
}

export class WebhookLimitReachedError extends WebhooksError {
  readonly code = 'WEBHOOK_LIMIT_REACHED';
  constructor(limit: number) {
    super(`A user has at most ${limit} webhook endpoints; delete one first.`);
  }
}

/** A URL whose address is not public, or that is not plain http(s) without credentials. */
export class WebhookUrlForbiddenError extends WebhooksError {
  readonly code = 'WEBHOOK_URL_FORBIDDEN';
  constructor(reason: string) {
    super(`This webhook URL is not allowed: ${reason}.`);
  }
}
