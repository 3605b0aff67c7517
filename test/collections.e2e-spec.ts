import * as tus from 'tus-js-client';
import { makeJpeg, makeWebp } from '#testing';
import { type ApiHarness, bearerCaller, expectProblem, rawFetch, startApi } from './support/api-harness.js';
import { unzip } from './support/tiles.js';
import { WebhookReceiver } from './support/webhook-receiver.js';

/**
 * Collections: a batch uploaded straight into one reports `collection.completed` (a signed
 * webhook, once) after every tile set and preset is ready; its live status goes to complete
 * over SSE; a panorama deleted leaves its collections; others' collections are 404; tags and
 * search; the whole collection as one zip.
 */
let api: ApiHarness;
let owner: Awaited<ReturnType<ApiHarness['userClient']>>;
const receiver = new WebhookReceiver();

const call = bearerCaller(
  () => api.baseUrl,
  () => owner.accessToken,
);

const createCollection = async (name: string, token?: string) => {
  const made = await call('/v1/collections', { method: 'POST', json: { name }, token });
  expect(made.status).toBe(201);
  return made.body.id as string;
};

async function batchInto(collectionId: string, files: { name: string; data: Buffer }[], fields = {}) {
  const form = new FormData();
  form.append('collectionId', collectionId);
  for (const [name, value] of Object.entries(fields)) form.append(name, String(value));
  for (const file of files) form.append('files', new Blob([new Uint8Array(file.data)]), file.name);
  return rawFetch(api.baseUrl, '/v1/panoramas/batch', {
    method: 'POST',
    headers: { authorization: `Bearer ${owner.accessToken}` },
    body: form,
  });
}

interface Status {
  panoramas: number;
  tileSets: Record<string, number>;
  renditions: Record<string, number>;
  progress: number;
  complete: boolean;
  completedAt: string | null;
}

/** Reads a collection's event stream until `until` holds for a status; returns every status seen. */
/** Every stream opened, closed at the end whatever happened (an open one holds the app's shutdown). */
const streams: AbortController[] = [];

async function followStatus(id: string, until: (s: Status) => boolean): Promise<Status[]> {
  const controller = new AbortController();
  streams.push(controller);
  const response = await fetch(`${api.baseUrl}/v1/collections/${id}/events`, {
    headers: { authorization: `Bearer ${owner.accessToken}`, accept: 'text/event-stream' },
    signal: controller.signal,
  });
  expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
  const seen: Status[] = [];
  const decoder = new TextDecoder();
  let buffer = '';
  for await (const chunk of response.body!) {
    buffer += decoder.decode(chunk as Uint8Array, { stream: true });
    let end: number;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const data = block
        .split('\n')
        .filter((l) => l.startsWith('data:'))
        .map((l) => l.slice(5).trim())
        .join('\n');
      if (!data) continue;
      expect(block).toContain('event: status');
      seen.push(JSON.parse(data) as Status);
      if (until(seen.at(-1)!)) return seen; // leaving the loop cancels the body: the stream closes
    }
  }
  return seen;
}

beforeAll(async () => {
  api = await startApi({
    THROTTLE_LIMIT: '100000',
    RENDITION_PRESETS: 'thumb:160:webp',
    // Longer than any pause between two uploads of a batch on a loaded machine: a shorter one
    // could call the collection complete between them (a second completion would follow).
    COLLECTION_SETTLE_SECONDS: '5',
    WEBHOOK_ALLOWED_CIDRS: '127.0.0.1/32',
  });
  owner = await api.userClient();
  const url = await receiver.start();
  const hook = await call('/v1/webhooks', {
    method: 'POST',
    json: { url, events: ['collection.completed', 'tileset.ready', 'rendition.ready'] },
  });
  receiver.secret = hook.body.secret as string;
}, 60_000);
afterAll(async () => {
  for (const stream of streams) stream.abort();
  await receiver.stop();
  await api?.close();
});

describe('collections', () => {
  it('reports a batch uploaded into a collection completed once every tile set and preset is ready', async () => {
    const id = await createCollection('Alps 2026');
    const following = followStatus(id, (s) => s.complete && s.panoramas === 3);
    const files = [
      { name: 'a.jpg', data: await makeJpeg(600, 300) },
      { name: 'b.webp', data: await makeWebp(500, 250) },
      { name: 'c.jpg', data: await makeJpeg(400, 200, 70) },
    ];
    const uploaded = await batchInto(id, files, { tags: 'alps, winter' });
    expect(uploaded.status).toBe(207);
    const panoramaIds = (uploaded.body.items as { panorama: { id: string; tags: string[] } }[]).map((i) => {
      expect(i.panorama.tags).toEqual(['alps', 'winter']);
      return i.panorama.id;
    });

    const statuses = await following;
    const last = statuses.at(-1)!;
    expect(last).toMatchObject({ panoramas: 3, progress: 1, complete: true });
    expect(last.tileSets).toEqual({ queued: 0, processing: 0, ready: 3, failed: 0 });
    expect(last.renditions).toEqual({ queued: 0, processing: 0, ready: 3, failed: 0 });
    expect(statuses.some((s) => !s.complete)).toBe(true); // it was followed while work went on

    await receiver.waitFor((got) => got.some((r) => r.type === 'collection.completed' && r.data.collectionId === id));
    const completions = receiver.ofType('collection.completed').filter((r) => r.data.collectionId === id);
    expect(completions).toHaveLength(1);
    expect(completions[0]).toMatchObject({
      verified: true,
      data: { panoramas: 3, allReady: true, tileSets: { ready: 3 }, renditions: { ready: 3 } },
    });
    // Every object of the batch was told before its collection was.
    const order = receiver.received.map((r) => r.type);
    expect(order.lastIndexOf('tileset.ready')).toBeLessThan(order.indexOf('collection.completed'));
    expect(
      receiver.ofType('tileset.ready').filter((r) => panoramaIds.includes(String(r.data.panoramaId))),
    ).toHaveLength(3);

    const status = await call(`/v1/collections/${id}/status`);
    expect(status.body).toMatchObject({ panoramas: 3, complete: true, completedAt: expect.any(String) });

    const listed = await call(`/v1/collections/${id}/panoramas?limit=2`);
    expect((listed.body.items as { id: string }[]).map((p) => p.id)).toEqual([panoramaIds[2], panoramaIds[1]]);
    const rest = await call(`/v1/collections/${id}/panoramas?limit=2&cursor=${String(listed.body.nextCursor)}`);
    expect((rest.body.items as { id: string }[]).map((p) => p.id)).toEqual([panoramaIds[0]]);

    const zip = await fetch(`${api.baseUrl}/v1/collections/${id}/archive?include=originals,thumb`, {
      headers: { authorization: `Bearer ${owner.accessToken}` },
    });
    expect(zip.headers.get('content-type')).toBe('application/zip');
    const entries = await unzip(Buffer.from(await zip.arrayBuffer()));
    expect([...entries.keys()].sort()).toEqual([
      'a/a-thumb.webp',
      'a/a.jpg',
      'b/b-thumb.webp',
      'b/b.webp',
      'c/c-thumb.webp',
      'c/c.jpg',
      'index.json',
    ]);
  });

  it('adds and removes panoramas; a deleted panorama leaves its collections; the collection goes, the panoramas stay', async () => {
    const id = await createCollection('Mixed');
    const other = await createCollection('Other');
    const one = await batchInto(other, [{ name: 'one.jpg', data: await makeJpeg(64, 32) }], { presets: 'none' });
    const panoramaId = (one.body.items as { panorama: { id: string } }[])[0].panorama.id;
    expect(
      (await call(`/v1/collections/${id}/panoramas`, { method: 'POST', json: { panoramaIds: [panoramaId] } })).status,
    ).toBe(204);
    // Twice is once.
    expect(
      (await call(`/v1/collections/${id}/panoramas`, { method: 'POST', json: { panoramaIds: [panoramaId] } })).status,
    ).toBe(204);
    expect((await call(`/v1/collections/${id}/status`)).body.panoramas).toBe(1);
    expect((await call(`/v1/collections/${id}/panoramas/${panoramaId}`, { method: 'DELETE' })).status).toBe(204);
    expect((await call(`/v1/collections/${id}/status`)).body.panoramas).toBe(0);
    expect((await call(`/v1/collections/${other}/status`)).body.panoramas).toBe(1);

    expect((await call(`/v1/panoramas/${panoramaId}`, { method: 'DELETE' })).status).toBe(204);
    expect((await call(`/v1/collections/${other}/status`)).body.panoramas).toBe(0);
    expect((await call(`/v1/collections/${other}/panoramas`)).body.items).toEqual([]);

    const kept = await batchInto(other, [{ name: 'kept.jpg', data: await makeJpeg(80, 40) }], { presets: 'none' });
    const keptId = (kept.body.items as { panorama: { id: string } }[])[0].panorama.id;
    expect((await call(`/v1/collections/${other}`, { method: 'DELETE' })).status).toBe(204);
    expect((await call(`/v1/panoramas/${keptId}`)).status).toBe(200);
    expectProblem(await call(`/v1/collections/${other}`), 404, 'COLLECTION_NOT_FOUND');
  });

  it('renames a collection, and takes a resumable (tus) upload into it', async () => {
    const id = await createCollection('Draft');
    const renamed = await call(`/v1/collections/${id}`, {
      method: 'PATCH',
      json: { name: '  Final  ', description: 'x' },
    });
    expect(renamed.body).toMatchObject({ name: 'Final', description: 'x' });
    expect((await call(`/v1/collections/${id}`, { method: 'PATCH', json: { description: null } })).body).toMatchObject({
      name: 'Final',
      description: null,
    });

    const upload = (collectionId: string, data: Buffer) =>
      new Promise<string>((resolve, reject) => {
        new tus.Upload(data, {
          endpoint: `${api.baseUrl}/v1/uploads`,
          headers: { authorization: `Bearer ${owner.accessToken}` },
          metadata: { filename: 'resumed.jpg', presets: 'none', collectionId },
          retryDelays: [],
          onError: reject,
          onSuccess: ({ lastResponse }) => resolve(lastResponse.getHeader('tessera-panorama-id')!),
        }).start();
      });
    // Refused at creation, before any byte is sent, for a collection that is not there.
    await expect(upload('00000000-0000-4000-8000-000000000000', Buffer.from('unsent'))).rejects.toThrow(/404/);
    const panoramaId = await upload(id, await makeJpeg(72, 36));
    const members = (await call(`/v1/collections/${id}/panoramas`)).body.items as { id: string }[];
    expect(members.map((p) => p.id)).toEqual([panoramaId]);
  });

  it("keeps collections to their owner: someone else's are 404, as are their panoramas to add", async () => {
    const id = await createCollection('Mine');
    const stranger = await api.userClient();
    for (const [method, path, json] of [
      ['GET', `/v1/collections/${id}`],
      ['GET', `/v1/collections/${id}/status`],
      ['GET', `/v1/collections/${id}/panoramas`],
      ['GET', `/v1/collections/${id}/events`],
      ['GET', `/v1/collections/${id}/archive`],
      ['PATCH', `/v1/collections/${id}`, { name: 'taken' }],
      ['DELETE', `/v1/collections/${id}`],
    ] as const) {
      expectProblem(await call(path, { method, json, token: stranger.accessToken }), 404, 'COLLECTION_NOT_FOUND');
    }
    // An upload into someone else's collection is refused before anything is stored.
    const form = new FormData();
    form.append('collectionId', id);
    form.append('file', new Blob([new Uint8Array(await makeJpeg(64, 32))]), 'x.jpg');
    const refused = await rawFetch(api.baseUrl, '/v1/panoramas', {
      method: 'POST',
      headers: { authorization: `Bearer ${stranger.accessToken}` },
      body: form,
    });
    expectProblem(refused, 404, 'COLLECTION_NOT_FOUND');
    expect((await call('/v1/panoramas', { token: stranger.accessToken })).body.items).toEqual([]);

    const theirs = await call('/v1/collections', {
      method: 'POST',
      json: { name: 'Theirs' },
      token: stranger.accessToken,
    });
    const form2 = new FormData();
    form2.append('file', new Blob([new Uint8Array(await makeJpeg(70, 35))]), 'y.jpg');
    form2.append('presets', 'none');
    const theirPanorama = await rawFetch(api.baseUrl, '/v1/panoramas', {
      method: 'POST',
      headers: { authorization: `Bearer ${stranger.accessToken}` },
      body: form2,
    });
    expectProblem(
      await call(`/v1/collections/${id}/panoramas`, { method: 'POST', json: { panoramaIds: [theirPanorama.body.id] } }),
      404,
      'PANORAMA_NOT_FOUND',
    );
    expect((await call(`/v1/collections/${theirs.body.id as string}`)).status).toBe(404);
  });

  it('tags panoramas and finds them by title, tag and upload date; refuses hostile names and tags', async () => {
    const form = new FormData();
    form.append('file', new Blob([new Uint8Array(await makeJpeg(90, 45))]), 'Matterhorn.jpg');
    form.append('presets', 'none');
    form.append('tags', 'Été 2026,peaks');
    const made = await rawFetch(api.baseUrl, '/v1/panoramas', {
      method: 'POST',
      headers: { authorization: `Bearer ${owner.accessToken}` },
      body: form,
    });
    const id = made.body.id as string;
    expect(made.body.tags).toEqual(['Été 2026', 'peaks']);
    const found = async (query: string) =>
      ((await call(`/v1/panoramas?${query}`)).body.items as { id: string }[]).map((p) => p.id);
    expect(await found(`tags=${encodeURIComponent('Été 2026')}`)).toEqual([id]);
    expect(await found('tags=peaks,none-such')).toEqual([]);
    expect(await found('title=matterhorn&tags=peaks')).toEqual([id]);
    const createdAt = made.body.createdAt as string;
    expect(await found(`tags=peaks&uploadedFrom=${encodeURIComponent(createdAt)}`)).toEqual([id]);
    expect(await found(`tags=peaks&uploadedBefore=${encodeURIComponent(createdAt)}`)).toEqual([]);

    const patched = await call(`/v1/panoramas/${id}`, { method: 'PATCH', json: { tags: ['summit', 'summit'] } });
    expect(patched.body.tags).toEqual(['summit']);

    for (const tags of [['a,b'], [' lead'], ['trail '], ['x'.repeat(51)], ['{quoted}'], ['"'], Array(21).fill('t')]) {
      expectProblem(await call(`/v1/panoramas/${id}`, { method: 'PATCH', json: { tags } }), 400, 'VALIDATION_FAILED');
    }
    // A cursor naming no UUID is malformed, on every list (it once reached the database).
    const cursor = Buffer.from('2026-01-01T00:00:00Z|x').toString('base64url');
    for (const path of [
      '/v1/panoramas',
      '/v1/collections',
      `/v1/collections/${await createCollection('c')}/panoramas`,
    ]) {
      expectProblem(await call(`${path}?cursor=${cursor}`), 400, 'INVALID_CURSOR');
    }

    for (const name of ['', '   ', 'two\nlines', 'x'.repeat(201)]) {
      expectProblem(await call('/v1/collections', { method: 'POST', json: { name } }), 400, 'VALIDATION_FAILED');
    }
    const odd = await call('/v1/collections', { method: 'POST', json: { name: '<img src=x onerror=alert(1)> ‮' } });
    expect(odd.body.name).toBe('<img src=x onerror=alert(1)> ‮');
  });
});
