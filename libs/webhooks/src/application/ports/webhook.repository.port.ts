import type { Page, PageRequest, SqlTransaction } from '#shared-kernel';
import type {
  AttemptResult,
  DeliveryStatus,
  WebhookDelivery,
  WebhookEndpoint,
  WebhookEndpointProps,
  WebhookEvent,
} from '../../domain/webhook.js';

/** Deliveries of one endpoint for one subject: sent one at a time, in the order of their events. */
export interface DeliveryStream {
  endpointId: string;
  subjectId: string;
}

export type EndpointChanges = Partial<Pick<WebhookEndpointProps, 'url' | 'events' | 'description' | 'enabled'>>;

/** The delivery at the head of a stream, with what sending it needs. */
export interface NextDelivery {
  delivery: WebhookDelivery;
  event: WebhookEvent;
  endpoint: WebhookEndpoint;
}

export abstract class WebhookRepository {
  /** Stores an endpoint unless its owner has `limit` already (counted under the owner's row lock). */
  abstract insertEndpointWithin(endpoint: WebhookEndpoint, limit: number): Promise<boolean>;
  abstract listEndpoints(ownerId: string): Promise<WebhookEndpoint[]>;
  abstract findEndpoint(id: string): Promise<WebhookEndpoint | null>;
  abstract updateEndpoint(id: string, changes: EndpointChanges, at: Date): Promise<WebhookEndpoint | null>;
  /** Deletes an endpoint with its deliveries. */
  abstract deleteEndpoint(id: string): Promise<boolean>;

  /** Records an event raised by the application (the database records the others itself). */
  abstract recordEvent(event: WebhookEvent): Promise<void>;
  /**
   * Turns up to `limit` undispatched events into one pending delivery per endpoint that wants
   * each, and marks them dispatched, in one transaction, in which `alsoInTransaction` is
   * given the streams that got deliveries (to send their jobs). Concurrent callers take
   * different events. Returns how many events were dispatched.
   */
  abstract dispatch(
    limit: number,
    at: Date,
    alsoInTransaction: (tx: SqlTransaction, streams: DeliveryStream[]) => Promise<void>,
  ): Promise<number>;

  /** The oldest pending delivery of a stream, or null when it has none. */
  abstract nextDelivery(stream: DeliveryStream): Promise<NextDelivery | null>;
  /** Writes an attempt's outcome and the delivery's new status (and next attempt time). */
  abstract recordAttempt(
    deliveryId: string,
    result: AttemptResult,
    status: DeliveryStatus,
    nextAttemptAt: Date,
    at: Date,
  ): Promise<void>;
  /** A new delivery of an event that was sent (a ping) at `at`, with its only attempt and its outcome. */
  abstract insertSentDelivery(
    endpointId: string,
    event: WebhookEvent,
    result: AttemptResult,
    status: DeliveryStatus,
    at: Date,
  ): Promise<WebhookDelivery>;
  /** An endpoint's deliveries, newest first, optionally of one status. */
  abstract listDeliveries(
    endpointId: string,
    page: PageRequest,
    status?: DeliveryStatus,
  ): Promise<Page<WebhookDelivery>>;
  abstract findDelivery(endpointId: string, deliveryId: string): Promise<WebhookDelivery | null>;
  /**
   * A new pending delivery of the same event to the same endpoint (the receiver sees the
   * same webhook-id), with its job sent in the same transaction.
   */
  abstract replay(
    delivery: WebhookDelivery,
    at: Date,
    alsoInTransaction: (tx: SqlTransaction) => Promise<void>,
  ): Promise<WebhookDelivery>;
}
