import { createHash } from 'node:crypto';
import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { makeJpeg } from '#testing';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { AppConfig } from '#config';
import { createApiApp } from '../apps/api/src/app.factory.js';
import { ResumableUploads } from '../apps/api/src/uploads/resumable-uploads.js';
import { type ApiHarness, expectProblem, startApi } from './support/api-harness.js';

/**
 * Resumable uploads over tus 1.0, spoken by hand with Node's fetch (what any tus client
 * sends): interrupted and resumed, refused at creation, other users' ids, expiry.
 */
let api: ApiHarness;
let owner: Awaited<ReturnType<ApiHarness['userClient']>>;
let other: Awaited<ReturnType<ApiHarness['userClient']>>;
const MAX = 4 * 1024 * 1024;

beforeAll(async () => {
  api = await startApi({ UPLOAD_MAX_BYTES: String(MAX), UPLOAD_RESUMABLE_MAX_PER_USER: '4' });
  owner = await api.userClient();
  other = await api.userClient();
});
afterAll(() => api?.close());

const tus = (token: string | undefined, headers: Record<string, string> = {}) => ({
  'tus-resumable': '1.0.0',
  ...(token ? { authorization: `Bearer ${token}` } : {}),
  ...headers,
});
const metadata = (fields: Record<string, string>) =>
  Object.entries(fields)
    .map(([k, v]) => `${k} ${Buffer.from(v).toString('base64')}`)
    .join(',');
const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');
const problem = async (response: Response) => ({
  status: response.status,
  headers: response.headers,
  body: await response.json(),
});

async function create(token: string, length: number, fields: Record<string, string> = {}) {
  return fetch(`${api.baseUrl}/v1/uploads`, {
    method: 'POST',
    headers: tus(token, {
      'upload-length': String(length),
      ...(Object.keys(fields).length ? { 'upload-metadata': metadata(fields) } : {}),
    }),
  });
}
async function patch(token: string, url: string, offset: number, body: Buffer | ReadableStream, signal?: AbortSignal) {
  return fetch(`${api.baseUrl}${url}`, {
    method: 'PATCH',
    headers: tus(token, { 'upload-offset': String(offset), 'content-type': 'application/offset+octet-stream' }),
    body,
    signal,
    duplex: 'half',
  });
}
const head = (token: string | undefined, url: string) =>
  fetch(`${api.baseUrl}${url}`, { method: 'HEAD', headers: tus(token) });

it('resumes an upload cut off in its second part, and stores exactly the bytes sent', async () => {
  const image = await makeJpeg(1200, 600, 95);
  const third = Math.ceil(image.length / 3);
  // What Uppy sends about the file besides our fields is accepted and ignored.
  const created = await create(owner.accessToken, image.length, {
    filename: 'resumed.jpg',
    filetype: 'image/jpeg',
    relativePath: 'null',
    title: 'Resumed',
  });
  expect(created.status).toBe(201);
  const url = created.headers.get('location')!;
  expect(url).toMatch(/^\/v1\/uploads\/[0-9a-f-]{36}$/);

  const first = await patch(owner.accessToken, url, 0, image.subarray(0, third));
  expect(first.status).toBe(204);
  expect(first.headers.get('upload-offset')).toBe(String(third));

  // The second part: some bytes, then the connection is lost.
  const abort = new AbortController();
  let sent = 0;
  const flaky = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (sent >= third / 2) {
        setTimeout(() => abort.abort(), 200);
        return new Promise(() => undefined); // never more: the line went quiet
      }
      const chunk = image.subarray(third + sent, third + sent + 1024);
      sent += chunk.length;
      controller.enqueue(chunk);
    },
  });
  await expect(patch(owner.accessToken, url, third, flaky, abort.signal)).rejects.toThrow();

  // Where to go on from: what arrived, at least the first part.
  let offset = 0;
  for (let i = 0; i < 50; i++) {
    const status = await head(owner.accessToken, url);
    expect(status.status).toBe(200);
    offset = Number(status.headers.get('upload-offset'));
    if (offset > third) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  expect(offset).toBeGreaterThanOrEqual(third);
  expect(offset).toBeLessThan(image.length);

  const rest = await patch(owner.accessToken, url, offset, image.subarray(offset));
  expect(rest.status).toBe(204);
  const panoramaId = rest.headers.get('tessera-panorama-id');
  expect(panoramaId).toMatch(/^[0-9a-f-]{36}$/);

  const { data } = await owner.client.GET('/v1/panoramas/{id}', { params: { path: { id: panoramaId! } } });
  expect(data).toMatchObject({
    title: 'Resumed',
    originalFilename: 'resumed.jpg',
    sha256: sha256(image),
    bytes: image.length,
  });
  const original = await fetch(`${api.baseUrl}/v1/panoramas/${panoramaId}/original`, {
    headers: { authorization: `Bearer ${owner.accessToken}` },
  });
  expect(sha256(Buffer.from(await original.arrayBuffer()))).toBe(sha256(image));
  // Finished: nothing left to resume, nothing left on disk.
  const after = await head(owner.accessToken, url);
  expect(after.status).toBe(404);
  expect(await readdir(join(api.workerEnv.UPLOAD_TMP_DIR, '..', 'resumable'))).toEqual([]);
});

it('refuses at creation: too large (413), no token (401), bad metadata (400)', async () => {
  expectProblem(await problem(await create(owner.accessToken, MAX + 1)), 413, 'UPLOAD_TOO_LARGE');
  const anonymous = await fetch(`${api.baseUrl}/v1/uploads`, {
    method: 'POST',
    headers: tus(undefined, { 'upload-length': '10' }),
  });
  expectProblem(await problem(anonymous), 401, 'AUTHENTICATION_REQUIRED');
  expectProblem(await problem(await create(owner.accessToken, 10, { tileSize: 'abc' })), 400, 'VALIDATION_FAILED');
  expectProblem(await problem(await create(owner.accessToken, 10, { title: 'a\u0000b' })), 400, 'VALIDATION_FAILED');
});

it("answers 404 for someone else's upload, whatever they try", async () => {
  const created = await create(owner.accessToken, 100, { filename: 'mine.jpg' });
  const url = created.headers.get('location')!;
  expect((await head(other.accessToken, url)).status).toBe(404); // HEAD: no body
  expectProblem(await problem(await patch(other.accessToken, url, 0, Buffer.alloc(100))), 404, 'UPLOAD_NOT_FOUND');
  const del = await fetch(`${api.baseUrl}${url}`, { method: 'DELETE', headers: tus(other.accessToken) });
  expectProblem(await problem(del), 404, 'UPLOAD_NOT_FOUND');
  expect((await head(owner.accessToken, url)).status).toBe(200); // still the owner's
});

it('refuses a finished upload that is no image (415), keeping nothing', async () => {
  const bytes = Buffer.from('%PDF-1.7 not a panorama'.padEnd(2000, '.'));
  const created = await create(owner.accessToken, bytes.length, { filename: 'doc.pdf' });
  const url = created.headers.get('location')!;
  expectProblem(await problem(await patch(owner.accessToken, url, 0, bytes)), 415, 'UNSUPPORTED_MEDIA_TYPE');
  expect((await head(owner.accessToken, url)).status).toBe(404);
  const { data } = await owner.client.GET('/v1/panoramas', { params: { query: {} } });
  expect(data!.items.map((p) => p.originalFilename)).not.toContain('doc.pdf');
});

it('removes unfinished uploads once expired', async () => {
  const created = await create(owner.accessToken, 1000, { filename: 'abandoned.jpg' });
  const url = created.headers.get('location')!;
  const id = url.split('/').at(-1)!;
  await patch(owner.accessToken, url, 0, Buffer.alloc(500, 1));
  const dir = join(api.workerEnv.UPLOAD_TMP_DIR, '..', 'resumable');
  // Two days old, as far as the store knows.
  const info = JSON.parse(await readFile(join(dir, `${id}.json`), 'utf8'));
  info.creation_date = new Date(Date.now() - 2 * 86_400_000).toISOString();
  await writeFile(join(dir, `${id}.json`), JSON.stringify(info));
  expect(await api.app.get(ResumableUploads).sweep()).toBe(1);
  expect((await readdir(dir)).filter((f) => f.startsWith(id))).toEqual([]);
  expect([404, 410]).toContain((await head(owner.accessToken, url)).status);
});

it('checks the quota at creation (422), as a multipart upload does', async () => {
  const admin = await api.adminClient();
  const limited = await api.userClient();
  const set = await admin.PATCH('/v1/users/{id}', { params: { path: { id: limited.id } }, body: { quotaBytes: 1000 } });
  expect(set.response.status).toBe(200);
  expectProblem(await problem(await create(limited.accessToken, 5000, { filename: 'big.jpg' })), 422, 'QUOTA_EXCEEDED');
});

it('lets one of two uploads finishing at once into the last quota place (422 for the other, nothing kept)', async () => {
  const admin = await api.adminClient();
  const racer = await api.userClient();
  await admin.PATCH('/v1/users/{id}', { params: { path: { id: racer.id } }, body: { quotaPanoramas: 1 } });
  const images = await Promise.all([makeJpeg(900, 500), makeJpeg(901, 500)]);
  // Both pass the check at creation (nothing stored yet); the binding one is at the end.
  const urls = await Promise.all(
    images.map(async (image, i) => {
      const created = await create(racer.accessToken, image.length, { filename: `race${i}.jpg` });
      expect(created.status).toBe(201);
      return created.headers.get('location')!;
    }),
  );
  const finished = await Promise.all(urls.map((url, i) => patch(racer.accessToken, url, 0, images[i])));
  expect(finished.map((r) => r.status).sort()).toEqual([204, 422]);
  const loser = finished.find((r) => r.status === 422)!;
  expectProblem(await problem(loser), 422, 'QUOTA_EXCEEDED');
  const { data } = await racer.client.GET('/v1/panoramas', { params: { query: {} } });
  expect(data!.items).toHaveLength(1);
  for (const url of urls) expect((await head(racer.accessToken, url)).status).toBe(404);
});

describe('holes closed (issue 18)', () => {
  it("answers 404 for any other name of someone else's upload (its info file, encoded paths) and keeps it", async () => {
    const created = await create(owner.accessToken, 100, { filename: 'kept.jpg' });
    const url = created.headers.get('location')!;
    for (const name of [`${url}.json`, `${url}%2Ejson`, '/v1/uploads/..%2F..%2Fetc', '/v1/uploads/.json']) {
      for (const token of [other.accessToken, owner.accessToken]) {
        const del = await fetch(`${api.baseUrl}${name}`, { method: 'DELETE', headers: tus(token) });
        expectProblem(await problem(del), 404, 'UPLOAD_NOT_FOUND');
      }
    }
    const dir = join(api.workerEnv.UPLOAD_TMP_DIR, '..', 'resumable');
    const id = url.split('/').at(-1)!;
    expect((await readdir(dir)).filter((f) => f.startsWith(id)).sort()).toEqual([id, `${id}.json`]);
    expect((await head(owner.accessToken, url)).status).toBe(200);
  });

  it("answers with the protocol's own codes: 412 (version, with Tus-Version), 415 (PATCH body type), 501 (concatenation)", async () => {
    const created = await create(owner.accessToken, 10);
    const url = created.headers.get('location')!;
    const oldVersion = await fetch(`${api.baseUrl}/v1/uploads`, {
      method: 'POST',
      headers: { ...tus(owner.accessToken, { 'upload-length': '10' }), 'tus-resumable': '0.2.2' },
    });
    expect(oldVersion.headers.get('tus-version')).toBe('1.0.0');
    expectProblem(await problem(oldVersion), 412, 'PRECONDITION_FAILED');
    const textBody = await fetch(`${api.baseUrl}${url}`, {
      method: 'PATCH',
      headers: tus(owner.accessToken, { 'upload-offset': '0', 'content-type': 'text/plain' }),
      body: 'hello',
    });
    expectProblem(await problem(textBody), 415, 'UNSUPPORTED_MEDIA_TYPE');
    const concat = await fetch(`${api.baseUrl}/v1/uploads`, {
      method: 'POST',
      headers: tus(owner.accessToken, { 'upload-length': '10', 'upload-concat': 'partial' }),
    });
    expect(concat.status).toBe(501);
    expect(await concat.json()).toMatchObject({ code: 'NOT_IMPLEMENTED', detail: expect.stringMatching(/parallel/) });
    await fetch(`${api.baseUrl}${url}`, { method: 'DELETE', headers: tus(owner.accessToken) });
  });

  it('stores a whole file sent with the creation (creation-with-upload) and answers its panorama id', async () => {
    const image = await makeJpeg(640, 320);
    const response = await fetch(`${api.baseUrl}/v1/uploads`, {
      method: 'POST',
      headers: tus(owner.accessToken, {
        'upload-length': String(image.length),
        'upload-metadata': metadata({ filename: 'at-once.jpg' }),
        'content-type': 'application/offset+octet-stream',
      }),
      body: new Uint8Array(image),
    });
    expect(response.status).toBe(201);
    const id = response.headers.get('tessera-panorama-id');
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(response.headers.get('upload-offset')).toBe(String(image.length));
    const { data } = await owner.client.GET('/v1/panoramas/{id}', { params: { path: { id: id! } } });
    expect(data).toMatchObject({ originalFilename: 'at-once.jpg', bytes: image.length, sha256: sha256(image) });
  });

  it('counts unfinished uploads against the quota and caps them per user, for creations released at once', async () => {
    const admin = await api.adminClient();
    const user = await api.userClient();
    await admin.PATCH('/v1/users/{id}', { params: { path: { id: user.id } }, body: { quotaBytes: 1_000_000 } });
    // Ten creations of 300 kB each at once: the quota holds three of them (900 kB reserved).
    const created = await Promise.all(Array.from({ length: 10 }, () => create(user.accessToken, 300_000)));
    const statuses = created.map((r) => r.status).sort();
    expect(statuses.filter((s) => s === 201)).toHaveLength(3);
    for (const refused of created.filter((r) => r.status !== 201)) {
      expectProblem(await problem(refused), 422, 'QUOTA_EXCEEDED');
    }
    // Small ones up to the cap of four unfinished uploads: one more fits, the next is refused.
    expect((await create(user.accessToken, 10)).status).toBe(201);
    expectProblem(await problem(await create(user.accessToken, 10)), 422, 'TOO_MANY_UNFINISHED_UPLOADS');
  });

  it('checks an upload of deferred length against the quota as its bytes arrive', async () => {
    const admin = await api.adminClient();
    const user = await api.userClient();
    await admin.PATCH('/v1/users/{id}', { params: { path: { id: user.id } }, body: { quotaBytes: 100_000 } });
    const created = await fetch(`${api.baseUrl}/v1/uploads`, {
      method: 'POST',
      headers: tus(user.accessToken, { 'upload-defer-length': '1' }),
    });
    expect(created.status).toBe(201);
    const url = created.headers.get('location')!;
    expect((await patch(user.accessToken, url, 0, Buffer.alloc(60_000, 1))).status).toBe(204);
    const over = await patch(user.accessToken, url, 60_000, Buffer.alloc(60_000, 1));
    expect(over.status).toBe(413);
    // What arrived is all that is kept: the upload holds at most the quota.
    const offset = Number((await head(user.accessToken, url)).headers.get('upload-offset'));
    expect(offset).toBeLessThanOrEqual(100_000);
  });
});

describe('one upload written by one request at a time, across API instances', () => {
  let second: NestExpressApplication;
  let secondUrl: string;
  beforeAll(async () => {
    // A second instance on the same database and the same store (as API_PROCESSES=2 has).
    second = await createApiApp(new AppConfig({ ...api.config, WORKER_EMBEDDED: false, MIGRATE_ON_START: false }));
    await second.listen(0, '127.0.0.1');
    secondUrl = `http://127.0.0.1:${(second.getHttpServer().address() as { port: number }).port}`;
  });
  afterAll(() => second?.close());

  it('ends the request holding an upload when another instance is asked to write it, then writes it once', async () => {
    const image = await makeJpeg(800, 400, 95);
    const created = await create(owner.accessToken, image.length, { filename: 'two-instances.jpg' });
    const url = created.headers.get('location')!;
    // The first request sends 1000 bytes and then holds its body open (a stalled client).
    let hold!: ReadableStreamDefaultController<Uint8Array>;
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        hold = controller;
        controller.enqueue(new Uint8Array(image.subarray(0, 1000)));
      },
    });
    const first = patch(owner.accessToken, url, 0, body).then(
      (response) => ({ status: response.status, offset: response.headers.get('upload-offset') }),
      () => ({ status: 'cut off', offset: null }),
    );
    // Watched on disk: a HEAD would take the upload's lock itself (and so end the request).
    const file = join(api.workerEnv.UPLOAD_TMP_DIR, '..', 'resumable', url.split('/').at(-1)!);
    while ((await stat(file).catch(() => null))?.size !== 1000) await new Promise((r) => setTimeout(r, 20));
    // The client resumes through the other instance from the offset the store reports.
    const resumed = await fetch(`${secondUrl}${url}`, {
      method: 'PATCH',
      headers: tus(owner.accessToken, { 'upload-offset': '1000', 'content-type': 'application/offset+octet-stream' }),
      body: new Uint8Array(image.subarray(1000)),
    });
    expect(resumed.status).toBe(204);
    // The stalled request was ended by the server to let the other one in (tus ends it
    // gracefully with what it had written), though its body never finished: with a lock per
    // process it would still be waiting for its bytes, and this would never settle.
    expect(await first).toEqual({ status: 204, offset: '1000' });
    hold.close();
    const id = resumed.headers.get('tessera-panorama-id')!;
    const { data } = await owner.client.GET('/v1/panoramas/{id}', { params: { path: { id } } });
    expect(data).toMatchObject({ bytes: image.length, sha256: sha256(image) });
  });
});
