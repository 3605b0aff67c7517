/**
 * What a webhook endpoint can subscribe to. `panorama.*` and the derived images' `ready` /
 * `failed` are recorded by the database in the transaction that changed the row (an outbox:
 * none is lost to a crash); `upload.finished` when a resumable upload completes;
 * `collection.completed` when everything in a collection is ready.
 */
export const WEBHOOK_EVENT_TYPES = [
  'panorama.created',
  'panorama.updated',
  'panorama.deleted',
  'tileset.ready',
  'tileset.failed',
  'rendition.ready',
  'rendition.failed',
  'upload.finished',
  'collection.completed',
] as const;
export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];
/** Sent by the test route only, whatever an endpoint subscribed to. */
export const PING_EVENT = 'webhook.ping';

/** Endpoints one user may register. */
export const MAX_WEBHOOKS_PER_USER = 20;
/** The longest URL accepted. */
export const WEBHOOK_URL_MAX_LENGTH = 2_048;

/** Something that happened, once, whichever endpoints want it. */
export interface WebhookEvent {
  /** Also the `webhook-id` of every delivery of it (receivers de-duplicate by it). */
  id: string;
  type: WebhookEventType | typeof PING_EVENT;
  /** Whose object it is (endpoints of this user get it, and admins' all-users endpoints). */
  ownerId: string | null;
  /** Events of one subject (a panorama and its derived images; a collection) arrive in order. */
  subjectId: string;
  data: Record<string, unknown>;
  createdAt: Date;
}

export interface WebhookEndpointProps {
  id: string;
  ownerId: string;
  url: string;
  events: readonly WebhookEventType[];
  description: string | null;
  /** An admin's endpoint for every user's events. */
  allUsers: boolean;
  enabled: boolean;
  /** `whsec_` + base64 of 32 random bytes (the Standard Webhooks format). */
  secret: string;
  createdAt: Date;
  updatedAt: Date;
}

export class WebhookEndpoint {
  constructor(readonly props: WebhookEndpointProps) {}

  get id() {
    return this.props.id;
  }

  /** Whether this endpoint gets the event (enabled, subscribed, and the event is its owner's or it is for all users). */
  wants(event: Pick<WebhookEvent, 'type' | 'ownerId'>): boolean {
    const { enabled, events, ownerId, allUsers } = this.props;
    return (
      enabled &&
      (events as readonly string[]).includes(event.type) &&
      (allUsers || (event.ownerId !== null && event.ownerId === ownerId))
    );
  }
}

export const DELIVERY_STATUSES = ['pending', 'delivered', 'failed'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

/** One event on its way to one endpoint, with what its last attempt got. */
export interface WebhookDelivery {
  id: string;
  endpointId: string;
  eventId: string;
  eventType: string;
  subjectId: string;
  status: DeliveryStatus;
  attempts: number;
  /** The receiver's status code, or null when none came (refused, timed out, unreachable). */
  lastStatusCode: number | null;
  /** Why the last attempt failed, in a line (`timeout after 10 s`, `address 10.0.0.5 is private`). */
  lastError: string | null;
  lastDurationMs: number | null;
  nextAttemptAt: Date;
  createdAt: Date;
  completedAt: Date | null;
}

/** The outcome of one attempt. */
export interface AttemptResult {
  statusCode: number | null;
  error: string | null;
  durationMs: number;
}

/** 2xx is delivered; anything else (3xx included: redirects are not followed) is not. */
export const isDelivered = (result: AttemptResult) =>
  result.statusCode !== null && result.statusCode >= 200 && result.statusCode < 300;

/** Seconds before attempt `attempts + 1`: the first delay, doubling, at most an hour. */
export function retryDelaySeconds(attempts: number, firstDelaySeconds: number): number {
  return Math.min(3_600, firstDelaySeconds * 2 ** Math.max(0, attempts - 1));
}
