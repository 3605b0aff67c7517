import * as tus from 'tus-js-client';
import { makeJpeg } from '#testing';
import { type ApiHarness, bearerCaller, expectProblem, startApi } from './support/api-harness.js';
import { followEvents } from './support/tiles.js';
import { upload } from './support/uploads.js';
import { WebhookReceiver } from './support/webhook-receiver.js';

/**
 * Webhooks as an integrator meets them: a receiver on loopback (allowed by
 * WEBHOOK_ALLOWED_CIDRS) checks every signature with the npm `standardwebhooks` verifier;
 * events of an upload arrive signed and in order; a receiver down for a while gets
 * everything once it is back; a receiver that never answers costs one timeout per attempt
 * and holds nobody else's delivery; someone else's endpoints are 404; the log can be read
 * and replayed; a ping answers at once.
 */
let api: ApiHarness;
let owner: Awaited<ReturnType<ApiHarness['userClient']>>;
const receivers: WebhookReceiver[] = [];

interface Delivery {
  id: string;
  eventId: string;
  eventType: string;
  status: string;
  attempts: number;
  lastStatusCode: number | null;
  lastError: string | null;
}

const call = bearerCaller(
  () => api.baseUrl,
  () => owner.accessToken,
);

/** A receiver and an endpoint pointing at it (the receiver knows the endpoint's secret). */
async function endpoint(events: string[], token = owner.accessToken, extra: Record<string, unknown> = {}) {
  const receiver = new WebhookReceiver();
  receivers.push(receiver);
  const url = await receiver.start();
  const made = await call('/v1/webhooks', { method: 'POST', json: { url, events, ...extra }, token });
  expect(made.status).toBe(201);
  receiver.secret = made.body.secret as string;
  return { receiver, id: made.body.id as string };
}

const deliveries = async (id: string) => (await call(`/v1/webhooks/${id}/deliveries`)).body.items as Delivery[];

/** Polls the delivery log (an API the test cannot be told about) until `check` holds. */
async function logUntil(id: string, check: (items: Delivery[]) => boolean): Promise<Delivery[]> {
  for (;;) {
    const items = await deliveries(id);
    if (check(items)) return items;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

beforeAll(async () => {
  api = await startApi({
    THROTTLE_LIMIT: '100000',
    WEBHOOK_ALLOWED_CIDRS: '127.0.0.1/32',
    WEBHOOK_TIMEOUT_SECONDS: '1',
    // Retries 1 s, then 2 s after a failure: the queue's delayed jobs are what is tested.
    WEBHOOK_RETRY_DELAY_SECONDS: '1',
    WEBHOOK_MAX_ATTEMPTS: '3',
  });
  owner = await api.userClient();
}, 60_000);
afterAll(async () => {
  await Promise.all(receivers.map((r) => r.stop()));
  await api?.close();
});

describe('webhooks', () => {
  it('sends the events of an upload, signed and in order, and logs each delivery', async () => {
    const { receiver, id } = await endpoint(['panorama.created', 'panorama.updated', 'tileset.ready']);
    const uploaded = await upload(owner.client, await makeJpeg(300, 150), { fields: { presets: 'none' } });
    const panoramaId = uploaded.data!.id;
    const tileSetId = uploaded.data!.tileSets[0].id;
    await call(`/v1/panoramas/${panoramaId}`, { method: 'PATCH', json: { title: 'Matterhorn at dawn' } });
    expect(
      (await followEvents(`${api.baseUrl}/v1/tilesets/${tileSetId}/events`, owner.accessToken)).at(-1)?.event,
    ).toBe('ready');
    await receiver.waitFor((got) => got.some((r) => r.type === 'tileset.ready'));
    await receiver.waitFor((got) => got.some((r) => r.type === 'panorama.updated'));

    expect(receiver.received.every((r) => r.verified)).toBe(true);
    expect(receiver.received.map((r) => r.type)).toEqual(['panorama.created', 'panorama.updated', 'tileset.ready']);
    expect(receiver.ofType('panorama.created')[0].data).toMatchObject({ panoramaId, width: 300, height: 150 });
    expect(receiver.ofType('panorama.updated')[0].data).toMatchObject({ panoramaId, title: 'Matterhorn at dawn' });
    expect(receiver.ofType('tileset.ready')[0].data).toMatchObject({
      tileSetId,
      panoramaId,
      status: 'ready',
      tileCount: expect.any(Number),
      tileSize: 256,
    });
    expect(receiver.received[0].headers['content-type']).toBe('application/json');

    // A tampered body or another secret does not verify (the check can fail).
    const { Webhook } = await import('standardwebhooks');
    const first = receiver.received[0];
    expect(() =>
      new Webhook(receiver.secret).verify(first.body.replace('created', 'deleted'), first.headers as never),
    ).toThrow();
    expect(() =>
      new Webhook(`whsec_${Buffer.alloc(32, 1).toString('base64')}`).verify(first.body, first.headers as never),
    ).toThrow();

    const log = await logUntil(id, (items) => items.length === 3 && items.every((d) => d.status === 'delivered'));
    expect(log.map((d) => [d.eventType, d.attempts, d.lastStatusCode])).toEqual([
      ['tileset.ready', 1, 200],
      ['panorama.updated', 1, 200],
      ['panorama.created', 1, 200],
    ]);
    expect(new Set(log.map((d) => d.eventId))).toEqual(new Set(receiver.received.map((r) => r.id)));
  });

  it('gets everything to a receiver that is down for a while, in order, by retrying', async () => {
    const { receiver, id } = await endpoint(['panorama.updated']);
    // Down for the first two requests (fewer than WEBHOOK_MAX_ATTEMPTS: the first event gets through).
    receiver.behaviour = (n) => (n < 2 ? 503 : 200);
    const uploaded = await upload(owner.client, await makeJpeg(64, 32), { fields: { presets: 'none' } });
    const panoramaId = uploaded.data!.id;
    for (const title of ['one', 'two', 'three']) {
      expect((await call(`/v1/panoramas/${panoramaId}`, { method: 'PATCH', json: { title } })).status).toBe(200);
    }
    await receiver.waitFor(
      (got) => got.filter((r) => r.type === 'panorama.updated' && r.data.title === 'three').length > 0,
    );
    const delivered = new Map<string, string>();
    for (const r of receiver.received) if (!delivered.has(r.id)) delivered.set(r.id, String(r.data.title));
    // Every event, first sends in order (a retry never lets a later event overtake it).
    expect([...delivered.values()]).toEqual(['one', 'two', 'three']);
    const log = await logUntil(id, (items) => items.length === 3 && items.every((d) => d.status === 'delivered'));
    expect(log.find((d) => d.eventType === 'panorama.updated' && d.attempts > 1)).toBeDefined();
    expect(log.reduce((sum, d) => sum + d.attempts, 0)).toBe(5); // two refused, three delivered
  });

  it('fails a delivery after WEBHOOK_MAX_ATTEMPTS without holding the others, and replays it on demand', async () => {
    const slow = await endpoint(['panorama.updated']);
    slow.receiver.behaviour = () => 'hang';
    const fine = await endpoint(['panorama.updated']);
    const uploaded = await upload(owner.client, await makeJpeg(64, 32), { fields: { presets: 'none' } });
    await call(`/v1/panoramas/${uploaded.data!.id}`, { method: 'PATCH', json: { title: 'slow and fine' } });

    await fine.receiver.waitFor((got) => got.length === 1);
    const [failed] = await logUntil(slow.id, (items) => items[0]?.status === 'failed');
    expect(failed).toMatchObject({ attempts: 3, lastStatusCode: null, lastError: 'no answer within 1 s' });
    // (Each attempt reached the receiver, unless the machine was too slow to read it within the
    // second; the log is what counts.)
    const before = slow.receiver.received.length;
    expect(before).toBeLessThanOrEqual(3);

    slow.receiver.behaviour = () => 204;
    const replayed = await call(`/v1/webhooks/${slow.id}/deliveries/${failed.id}/replay`, { method: 'POST' });
    expect(replayed.status).toBe(202);
    await slow.receiver.waitFor((got) => got.length === before + 1);
    expect(slow.receiver.received[before].id).toBe(failed.eventId); // the same webhook-id
    expect(slow.receiver.received[before].verified).toBe(true);
  });

  it('tells when a resumable (tus) upload finished', async () => {
    const { receiver } = await endpoint(['upload.finished']);
    const bytes = await makeJpeg(64, 32);
    const panoramaId = await new Promise<string>((resolve, reject) => {
      new tus.Upload(bytes, {
        endpoint: `${api.baseUrl}/v1/uploads`,
        headers: { authorization: `Bearer ${owner.accessToken}` },
        metadata: { filename: 'resumed.jpg', presets: 'none' },
        retryDelays: [],
        onError: reject,
        onSuccess: ({ lastResponse }) => resolve(lastResponse.getHeader('tessera-panorama-id')!),
      }).start();
    });
    await receiver.waitFor((got) => got.length === 1);
    expect(receiver.received[0]).toMatchObject({
      type: 'upload.finished',
      verified: true,
      data: { panoramaId, bytes: bytes.length },
    });
  });

  it('pings an endpoint at once and logs the answer', async () => {
    const { receiver, id } = await endpoint(['tileset.ready']);
    const ping = await call(`/v1/webhooks/${id}/ping`, { method: 'POST' });
    expect(ping.status).toBe(200);
    expect(ping.body).toMatchObject({
      eventType: 'webhook.ping',
      status: 'delivered',
      attempts: 1,
      lastStatusCode: 200,
    });
    expect(receiver.received).toHaveLength(1);
    expect(receiver.received[0]).toMatchObject({ type: 'webhook.ping', verified: true });
    receiver.behaviour = () => 500;
    expect((await call(`/v1/webhooks/${id}/ping`, { method: 'POST' })).body).toMatchObject({
      status: 'failed',
      lastStatusCode: 500,
    });
  });

  it("keeps endpoints to their owner; an admin's all-users endpoint gets everyone's events", async () => {
    const { id } = await endpoint(['panorama.updated']);
    const stranger = await api.userClient();
    expectProblem(await call(`/v1/webhooks/${id}`, { token: stranger.accessToken }), 404, 'WEBHOOK_NOT_FOUND');
    expectProblem(
      await call(`/v1/webhooks/${id}/deliveries`, { token: stranger.accessToken }),
      404,
      'WEBHOOK_NOT_FOUND',
    );
    expectProblem(
      await call(`/v1/webhooks/${id}`, { method: 'DELETE', token: stranger.accessToken }),
      404,
      'WEBHOOK_NOT_FOUND',
    );
    expectProblem(
      await call('/v1/webhooks', {
        method: 'POST',
        json: { url: 'https://example.com/x', events: ['panorama.updated'], allUsers: true },
        token: stranger.accessToken,
      }),
      403,
      'FORBIDDEN',
    );

    const adminToken = (
      await api.client().POST('/v1/auth/login', {
        body: { email: 'admin@tessera.test', password: 'admin password for tests' },
      })
    ).data!.accessToken;
    const everyone = await endpoint(['panorama.updated'], adminToken, { allUsers: true });
    const theirs = await upload(stranger.client, await makeJpeg(64, 32), { fields: { presets: 'none' } });
    await call(`/v1/panoramas/${theirs.data!.id}`, {
      method: 'PATCH',
      json: { title: 'seen by the admin' },
      token: stranger.accessToken,
    });
    await everyone.receiver.waitFor((got) => got.some((r) => r.data.title === 'seen by the admin'));
    expect(everyone.receiver.received.every((r) => r.verified)).toBe(true);
  });

  it('lets racing registrations pass the per-user limit only up to it', async () => {
    const racer = await api.userClient();
    const answers = await Promise.all(
      Array.from({ length: 25 }, (_, i) =>
        call('/v1/webhooks', {
          method: 'POST',
          json: { url: `https://example.com/hook/${i}`, events: ['tileset.ready'] },
          token: racer.accessToken,
        }),
      ),
    );
    expect(answers.filter((a) => a.status === 201)).toHaveLength(20);
    for (const refused of answers.filter((a) => a.status !== 201)) expectProblem(refused, 422, 'WEBHOOK_LIMIT_REACHED');
    expect((await call('/v1/webhooks', { token: racer.accessToken })).body.items).toHaveLength(20);
  });

  it('refuses URLs that are not public http(s), and hostile input', async () => {
    for (const url of [
      'http://10.0.0.1/hook',
      'http://169.254.169.254/latest/meta-data',
      'http://[::1]/hook',
      'http://192.168.1.1/',
      'http://127.0.0.2/', // loopback, outside the allowed 127.0.0.1/32
      'http://user:pass@example.com/hook',
    ]) {
      expectProblem(
        await call('/v1/webhooks', { method: 'POST', json: { url, events: ['tileset.ready'] } }),
        422,
        'WEBHOOK_URL_FORBIDDEN',
      );
    }
    for (const json of [
      { url: 'ftp://example.com/', events: ['tileset.ready'] },
      { url: 'not a url', events: ['tileset.ready'] },
      { url: `https://example.com/${'a'.repeat(2100)}`, events: ['tileset.ready'] },
      { url: 'https://example.com/', events: [] },
      { url: 'https://example.com/', events: ['tileset.exploded'] },
      { url: 'https://example.com/', events: ['tileset.ready'], description: 'two\nlines' },
      { url: 'https://example.com/\u0000', events: ['tileset.ready'] },
    ]) {
      expectProblem(await call('/v1/webhooks', { method: 'POST', json }), 400, 'VALIDATION_FAILED');
    }
  });
});
