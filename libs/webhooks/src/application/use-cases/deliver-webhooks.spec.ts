import { FixedClock } from '#testing';
import type { EnqueueOptions, JobName, JobQueue } from '#shared-kernel';
import { type AttemptResult, type WebhookDelivery, WebhookEndpoint, type WebhookEvent } from '../../domain/webhook.js';
import type { DeliveryStream, NextDelivery, WebhookRepository } from '../ports/webhook.repository.port.js';
import type { WebhookSender } from '../ports/webhook-sender.port.js';
import { DeliverWebhooksUseCase } from './deliver-webhooks.use-case.js';

/**
 * The delivery loop on fakes: a stream's deliveries go in order, a failure holds the stream
 * (rescheduled after the backoff) instead of letting the next event overtake, the last
 * attempt fails the delivery and the stream moves on, a disabled endpoint fails what is
 * pending. (The real thing, with PostgreSQL and pg-boss: test/webhooks.e2e-spec.ts.)
 */
const STREAM: DeliveryStream = { endpointId: 'e1', subjectId: 'p1' };

function setup(answers: (number | null)[], enabled = true) {
  const clock = new FixedClock(new Date('2026-12-06T12:00:00Z'));
  const endpoint = new WebhookEndpoint({
    id: 'e1',
    ownerId: 'u1',
    url: 'https://example.com/hook',
    events: ['panorama.updated'],
    description: null,
    allUsers: false,
    enabled,
    secret: 'whsec_x',
    createdAt: clock.now(),
    updatedAt: clock.now(),
  });
  const deliveries: WebhookDelivery[] = ['one', 'two', 'three'].map((title, i) => ({
    id: `d${i}`,
    endpointId: 'e1',
    eventId: `ev${i}`,
    eventType: 'panorama.updated',
    subjectId: 'p1',
    status: 'pending',
    attempts: 0,
    lastStatusCode: null,
    lastError: title,
    lastDurationMs: null,
    nextAttemptAt: clock.now(),
    createdAt: clock.now(),
    completedAt: null,
  }));
  const event = (d: WebhookDelivery): WebhookEvent => ({
    id: d.eventId,
    type: 'panorama.updated',
    ownerId: 'u1',
    subjectId: 'p1',
    data: { title: d.lastError },
    createdAt: clock.now(),
  });
  const repository = {
    nextDelivery: async (): Promise<NextDelivery | null> => {
      const head = deliveries.find((d) => d.status === 'pending');
      return head ? { delivery: { ...head }, event: event(head), endpoint } : null;
    },
    recordAttempt: async (id: string, result: AttemptResult, status: WebhookDelivery['status'], next: Date) => {
      const d = deliveries.find((x) => x.id === id)!;
      Object.assign(d, { attempts: d.attempts + 1, status, nextAttemptAt: next, lastStatusCode: result.statusCode });
    },
  } as unknown as WebhookRepository;
  const sent: string[] = [];
  const sender = {
    send: async (_: unknown, e: WebhookEvent): Promise<AttemptResult> => {
      sent.push(String(e.data.title));
      const statusCode = answers.shift() ?? 200;
      return { statusCode, error: statusCode === 200 ? null : 'no', durationMs: 1 };
    },
  } as unknown as WebhookSender;
  const enqueued: { name: JobName; options?: EnqueueOptions }[] = [];
  const queue = {
    enqueue: async (name: JobName, _: unknown, options?: EnqueueOptions) => {
      enqueued.push({ name, options });
      return 'job';
    },
  } as unknown as JobQueue;
  const useCase = new DeliverWebhooksUseCase(
    repository,
    sender,
    queue,
    { timeoutSeconds: 10, maxAttempts: 3, retryDelaySeconds: 10 },
    clock,
  );
  return { useCase, deliveries, sent, enqueued, clock };
}

describe('DeliverWebhooksUseCase.deliver', () => {
  it('sends a stream in order and stops when it is empty', async () => {
    const t = setup([]);
    await t.useCase.deliver(STREAM);
    expect(t.sent).toEqual(['one', 'two', 'three']);
    expect(t.deliveries.map((d) => d.status)).toEqual(['delivered', 'delivered', 'delivered']);
    expect(t.enqueued).toEqual([]);
  });

  it('holds the stream after a failure and comes back after the backoff, the next event waiting', async () => {
    const t = setup([503]);
    await t.useCase.deliver(STREAM);
    expect(t.sent).toEqual(['one']);
    expect(t.deliveries[0]).toMatchObject({ status: 'pending', attempts: 1 });
    expect(t.enqueued).toEqual([
      { name: 'webhooks.deliver', options: { singletonKey: 'e1:p1', startAfterSeconds: 10 } },
    ]);

    // Run again too early: nothing is sent, the stream is rescheduled for what is left.
    t.clock.advance(4);
    await t.useCase.deliver(STREAM);
    expect(t.sent).toEqual(['one']);
    expect(t.enqueued.at(-1)?.options?.startAfterSeconds).toBe(6);

    t.clock.advance(6);
    await t.useCase.deliver(STREAM);
    expect(t.sent).toEqual(['one', 'one', 'two', 'three']);
  });

  it('fails a delivery on its last attempt and goes on with the next', async () => {
    const t = setup([500, 500, 500]);
    await t.useCase.deliver(STREAM);
    t.clock.advance(10);
    await t.useCase.deliver(STREAM);
    t.clock.advance(20); // the backoff doubled
    await t.useCase.deliver(STREAM);
    expect(t.deliveries.map((d) => [d.status, d.attempts])).toEqual([
      ['failed', 3],
      ['delivered', 1],
      ['delivered', 1],
    ]);
  });

  it('fails what is pending for a disabled endpoint without sending it', async () => {
    const t = setup([], false);
    await t.useCase.deliver(STREAM);
    expect(t.sent).toEqual([]);
    expect(t.deliveries.map((d) => d.status)).toEqual(['failed', 'failed', 'failed']);
  });
});
