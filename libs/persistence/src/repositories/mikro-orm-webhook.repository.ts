import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { type Page, type PageRequest, type SqlTransaction, toPage } from '#shared-kernel';
import {
  type AttemptResult,
  type DeliveryStatus,
  type DeliveryStream,
  type EndpointChanges,
  type NextDelivery,
  type WebhookDelivery,
  WebhookEndpoint,
  type WebhookEventType,
  type WebhookEvent,
  WebhookRepository,
} from '#webhooks';
import { idList, insertWithinOwnerLimit, keysetAfter, runIn, runOn, textArray } from './raw-sql.js';
import { sqlTransactionOf } from './sql-transaction.js';

interface EndpointRow {
  id: string;
  owner_id: string;
  url: string;
  events: WebhookEventType[];
  description: string | null;
  all_users: boolean;
  enabled: boolean;
  secret: string;
  created_at: Date;
  updated_at: Date;
}

interface DeliveryRow {
  id: string;
  endpoint_id: string;
  event_id: string;
  event_type: string;
  subject_id: string;
  status: DeliveryStatus;
  attempts: number;
  last_status_code: number | null;
  last_error: string | null;
  last_duration_ms: number | null;
  next_attempt_at: Date;
  created_at: Date;
  completed_at: Date | null;
}

interface EventRow {
  id: string;
  type: WebhookEvent['type'];
  owner_id: string | null;
  subject_id: string;
  data: Record<string, unknown>;
  created_at: Date;
}

const ENDPOINT_COLUMNS = 'id, owner_id, url, events, description, all_users, enabled, secret, created_at, updated_at';
const DELIVERY_COLUMNS =
  'id, endpoint_id, event_id, event_type, subject_id, status, attempts, last_status_code, last_error, ' +
  'last_duration_ms, next_attempt_at, created_at, completed_at';
const IN_IDS = 'in (select jsonb_array_elements_text(?::jsonb)::uuid)';

const toEndpoint = (row: EndpointRow) =>
  new WebhookEndpoint({
    id: row.id,
    ownerId: row.owner_id,
    url: row.url,
    events: row.events,
    description: row.description,
    allUsers: row.all_users,
    enabled: row.enabled,
    secret: row.secret,
    createdAt: new Date(row.created_at),
    updatedAt: new Date(row.updated_at),
  });

const toDelivery = (row: DeliveryRow): WebhookDelivery => ({
  id: row.id,
  endpointId: row.endpoint_id,
  eventId: row.event_id,
  eventType: row.event_type,
  subjectId: row.subject_id,
  status: row.status,
  attempts: row.attempts,
  lastStatusCode: row.last_status_code,
  lastError: row.last_error,
  lastDurationMs: row.last_duration_ms,
  nextAttemptAt: new Date(row.next_attempt_at),
  createdAt: new Date(row.created_at),
  completedAt: row.completed_at && new Date(row.completed_at),
});

const toEvent = (row: EventRow): WebhookEvent => ({
  id: row.id,
  type: row.type,
  ownerId: row.owner_id,
  subjectId: row.subject_id,
  data: row.data,
  createdAt: new Date(row.created_at),
});

/**
 * Webhook endpoints, the event outbox (filled by triggers, see the Webhooks migration) and
 * deliveries, in plain SQL. Always the primary.
 */
@Injectable()
export class MikroOrmWebhookRepository extends WebhookRepository {
  constructor(private readonly em: EntityManager) {
    super();
  }

  insertEndpointWithin(endpoint: WebhookEndpoint, limit: number): Promise<boolean> {
    const p = endpoint.props;
    return insertWithinOwnerLimit(this.em, 'webhook_endpoints', p.ownerId, limit, (run) =>
      run(`insert into webhook_endpoints (${ENDPOINT_COLUMNS}) values (?, ?, ?, ?::text[], ?, ?, ?, ?, ?, ?)`, [
        p.id,
        p.ownerId,
        p.url,
        textArray(p.events),
        p.description,
        p.allUsers,
        p.enabled,
        p.secret,
        p.createdAt,
        p.updatedAt,
      ]),
    );
  }

  async listEndpoints(ownerId: string): Promise<WebhookEndpoint[]> {
    const rows = await this.query<EndpointRow>(
      `select ${ENDPOINT_COLUMNS} from webhook_endpoints where owner_id = ? order by created_at desc, id`,
      [ownerId],
    );
    return rows.map(toEndpoint);
  }

  async findEndpoint(id: string): Promise<WebhookEndpoint | null> {
    const [row] = await this.query<EndpointRow>(`select ${ENDPOINT_COLUMNS} from webhook_endpoints where id = ?`, [id]);
    return row ? toEndpoint(row) : null;
  }

  async updateEndpoint(id: string, changes: EndpointChanges, at: Date): Promise<WebhookEndpoint | null> {
    const [row] = await this.query<EndpointRow>(
      `update webhook_endpoints set
         url = coalesce(?, url),
         events = coalesce(?::text[], events),
         description = case when ? then ? else description end,
         enabled = coalesce(?, enabled),
         updated_at = ?
       where id = ? returning ${ENDPOINT_COLUMNS}`,
      [
        changes.url ?? null,
        changes.events ? textArray(changes.events) : null,
        changes.description !== undefined,
        changes.description ?? null,
        changes.enabled ?? null,
        at,
        id,
      ],
    );
    return row ? toEndpoint(row) : null;
  }

  async deleteEndpoint(id: string): Promise<boolean> {
    return (await this.query(`delete from webhook_endpoints where id = ? returning id`, [id])).length > 0;
  }

  async recordEvent(event: WebhookEvent): Promise<void> {
    await this.query(
      `insert into webhook_events (id, type, owner_id, subject_id, data, created_at) values (?, ?, ?, ?, ?::jsonb, ?) returning id`,
      [event.id, event.type, event.ownerId, event.subjectId, JSON.stringify(event.data), event.createdAt],
    );
  }

  dispatch(
    limit: number,
    at: Date,
    alsoInTransaction: (tx: SqlTransaction, streams: DeliveryStream[]) => Promise<void>,
  ): Promise<number> {
    return this.em.fork().transactional(async (em) => {
      const run = runIn(em);
      // Skip locked: dispatchers in other processes take the next events, not these.
      const events = await run<{ id: string }>(
        `select id from webhook_events where dispatched_at is null order by seq limit ? for update skip locked`,
        [limit],
      );
      if (events.length === 0) return 0;
      const ids = idList(events.map((e) => e.id));
      // One delivery per endpoint that wants the event (WebhookEndpoint.wants, as SQL).
      const streams = await run<DeliveryStream>(
        `insert into webhook_deliveries (endpoint_id, event_id, event_seq, event_type, subject_id, status, next_attempt_at, created_at)
         select w.id, e.id, e.seq, e.type, e.subject_id, 'pending', ?, ?
           from webhook_events e join webhook_endpoints w
             on w.enabled and e.type = any (w.events) and (w.all_users or w.owner_id = e.owner_id)
          where e.id ${IN_IDS}
         returning endpoint_id as "endpointId", subject_id as "subjectId"`,
        [at, at, ids],
      );
      await run(`update webhook_events set dispatched_at = ? where id ${IN_IDS}`, [at, ids]);
      // An event nobody wanted is not kept.
      await run(
        `delete from webhook_events e where e.id ${IN_IDS}
           and not exists (select 1 from webhook_deliveries d where d.event_id = e.id)`,
        [ids],
      );
      const unique = new Map(streams.map((s) => [`${s.endpointId}:${s.subjectId}`, s]));
      await alsoInTransaction(sqlTransactionOf(em), [...unique.values()]);
      return events.length;
    });
  }

  async nextDelivery(stream: DeliveryStream): Promise<NextDelivery | null> {
    // The head of the stream with its event and endpoint, in one round trip.
    const [row] = await this.query<{ delivery: DeliveryRow; event: EventRow; endpoint: EndpointRow }>(
      `select to_jsonb(d) as delivery, to_jsonb(e) as event, to_jsonb(w) as endpoint
         from webhook_deliveries d
         join webhook_events e on e.id = d.event_id
         join webhook_endpoints w on w.id = d.endpoint_id
        where d.endpoint_id = ? and d.subject_id = ? and d.status = 'pending'
        order by d.event_seq, d.created_at limit 1`,
      [stream.endpointId, stream.subjectId],
    );
    return row
      ? { delivery: toDelivery(row.delivery), event: toEvent(row.event), endpoint: toEndpoint(row.endpoint) }
      : null;
  }

  async recordAttempt(
    deliveryId: string,
    result: AttemptResult,
    status: DeliveryStatus,
    nextAttemptAt: Date,
    at: Date,
  ): Promise<void> {
    await this.query(
      `update webhook_deliveries set attempts = attempts + 1, status = ?, last_status_code = ?, last_error = ?,
         last_duration_ms = ?, next_attempt_at = ?, completed_at = ? where id = ? returning id`,
      [
        status,
        result.statusCode,
        result.error,
        Math.round(result.durationMs),
        nextAttemptAt,
        status === 'pending' ? null : at,
        deliveryId,
      ],
    );
  }

  insertSentDelivery(
    endpointId: string,
    event: WebhookEvent,
    result: AttemptResult,
    status: DeliveryStatus,
    at: Date,
  ): Promise<WebhookDelivery> {
    return this.em.fork().transactional(async (em) => {
      const run = runIn(em);
      const [{ seq }] = await run<{ seq: string }>(
        `insert into webhook_events (id, type, owner_id, subject_id, data, created_at, dispatched_at)
         values (?, ?, ?, ?, ?::jsonb, ?, ?) returning seq`,
        [event.id, event.type, event.ownerId, event.subjectId, JSON.stringify(event.data), event.createdAt, at],
      );
      const [row] = await run<DeliveryRow>(
        `insert into webhook_deliveries (endpoint_id, event_id, event_seq, event_type, subject_id, status, attempts,
           last_status_code, last_error, last_duration_ms, next_attempt_at, created_at, completed_at)
         values (?, ?, ?, ?, ?, ?, 1, ?, ?, ?, ?, ?, ?) returning ${DELIVERY_COLUMNS}`,
        [
          endpointId,
          event.id,
          seq,
          event.type,
          event.subjectId,
          status,
          result.statusCode,
          result.error,
          Math.round(result.durationMs),
          at,
          at,
          at,
        ],
      );
      return toDelivery(row);
    });
  }

  async listDeliveries(endpointId: string, page: PageRequest, status?: DeliveryStatus): Promise<Page<WebhookDelivery>> {
    const after = keysetAfter(page.cursor);
    const rows = await this.query<DeliveryRow>(
      `select ${DELIVERY_COLUMNS} from webhook_deliveries
        where endpoint_id = ? and (?::text is null or status = ?) and ${after.sql}
        order by created_at desc, id desc limit ?`,
      [endpointId, status ?? null, status ?? null, ...after.params, page.limit + 1],
    );
    return toPage(rows.map(toDelivery), page.limit);
  }

  async findDelivery(endpointId: string, deliveryId: string): Promise<WebhookDelivery | null> {
    const [row] = await this.query<DeliveryRow>(
      `select ${DELIVERY_COLUMNS} from webhook_deliveries where id = ? and endpoint_id = ?`,
      [deliveryId, endpointId],
    );
    return row ? toDelivery(row) : null;
  }

  replay(
    delivery: WebhookDelivery,
    at: Date,
    alsoInTransaction: (tx: SqlTransaction) => Promise<void>,
  ): Promise<WebhookDelivery> {
    return this.em.fork().transactional(async (em) => {
      const [row] = await runIn(em)<DeliveryRow>(
        `insert into webhook_deliveries (endpoint_id, event_id, event_seq, event_type, subject_id, status, next_attempt_at, created_at)
         select endpoint_id, event_id, event_seq, event_type, subject_id, 'pending', ?, ? from webhook_deliveries where id = ?
         returning ${DELIVERY_COLUMNS}`,
        [at, at, delivery.id],
      );
      await alsoInTransaction(sqlTransactionOf(em));
      return toDelivery(row);
    });
  }

  private query<Row = Record<string, unknown>>(sql: string, params: unknown[]): Promise<Row[]> {
    return runOn(this.em)<Row>(sql, params);
  }
}
