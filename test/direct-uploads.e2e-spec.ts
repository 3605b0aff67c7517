import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetObjectCommand, PutBucketCorsCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { Browser, Page } from 'playwright-core';
import pg from 'pg';
import { loadConfig } from '#config';
import { s3Settings } from '#storage';
import { S3ObjectStorage } from '#storage/s3';
import { SharedLocks } from '#shared-kernel';
import { launchBrowser, makeJpeg, startS3Server, type TestS3Server } from '#testing';
import { DirectUploads } from '../apps/api/src/uploads/direct-uploads.js';
import { ResumableUploads } from '../apps/api/src/uploads/resumable-uploads.js';
import { tusLockKey } from '../apps/api/src/uploads/tus-storage.js';
import { type ApiHarness, bearerCaller, expectProblem, fromClient, startApi } from './support/api-harness.js';
import { followEvents } from './support/tiles.js';
import { signInToWebApp } from './support/web-app.js';

/**
 * Direct uploads (presigned multipart straight to S3) against a real S3-compatible server on
 * loopback, with two API instances on one database and one bucket, as behind a load
 * balancer: the parts go from the client (Node's fetch) to the bucket, any instance signs,
 * resumes and completes; limits hold when requests are released at once; whatever is
 * refused or abandoned leaves nothing in the bucket. Then resumable (tus) uploads on the
 * same two instances, their parts in the bucket: any request of an upload on either one.
 */
let s3: TestS3Server;
let a: ApiHarness;
let b: ApiHarness;
let bucket: S3ObjectStorage;
let bucketName: string;
let owner: Awaited<ReturnType<ApiHarness['userClient']>>;

const PART = 5 * 1024 * 1024;

beforeAll(async () => {
  s3 = await startS3Server();
  bucketName = `tessera-direct-${randomBytes(3).toString('hex')}`;
  const env = { ...s3.env(bucketName), S3_PART_SIZE_BYTES: String(PART), UPLOAD_RESUMABLE_MAX_PER_USER: '4' };
  a = await startApi(env);
  b = await startApi({ ...env, WORKER_EMBEDDED: 'false' }, { db: a.db });
  bucket = new S3ObjectStorage(s3Settings(loadConfig(env)));
  owner = await a.userClient();
}, 60_000);
afterAll(async () => {
  bucket?.close();
  await b?.close();
  await a?.close();
  await s3?.dispose();
}, 60_000);

interface Upload {
  id: string;
  state: string;
  bytes: number;
  partBytes: number;
  partCount: number;
  parts?: { partNumber: number; bytes: number; url: string }[];
  panoramaId?: string | null;
}

const on = (api: () => ApiHarness, token = () => owner.accessToken) => bearerCaller(() => api().baseUrl, token);
const callA = on(() => a);
const callB = on(() => b);

/** A JPEG of `bytes` or more: a small picture, then bytes after its end (as some cameras append). */
async function jpegOf(bytes: number): Promise<Buffer> {
  const picture = await makeJpeg(1600, 800);
  return Buffer.concat([picture, randomBytes(Math.max(0, bytes - picture.length))]);
}

async function create(file: Buffer, fields: Record<string, unknown> = {}, call = callA) {
  return call('/v1/direct-uploads', { method: 'POST', json: { filename: 'alps.jpg', bytes: file.length, ...fields } });
}

/** PUTs the listed parts of `file` to their presigned URLs (Node's fetch, no credentials); answers their ETags. */
async function sendParts(upload: Upload, file: Buffer, numbers = upload.parts!.map((p) => p.partNumber)) {
  const sent: { partNumber: number; etag: string }[] = [];
  for (const part of upload.parts!.filter((p) => numbers.includes(p.partNumber))) {
    const start = (part.partNumber - 1) * upload.partBytes;
    const response = await fetch(part.url, { method: 'PUT', body: file.subarray(start, start + part.bytes) });
    expect(response.status).toBe(200);
    sent.push({ partNumber: part.partNumber, etag: response.headers.get('etag')! });
  }
  return sent;
}

const complete = (id: string, parts: unknown, call = callA) =>
  call(`/v1/direct-uploads/${id}/complete`, { method: 'POST', json: { parts } });

const keys = async (prefix: string) => {
  const found: string[] = [];
  for await (const object of bucket.list(prefix)) found.push(object.key);
  return found;
};

async function setQuota(userId: string, quotaBytes: number | null) {
  const admin = await a.adminClient();
  const { response } = await admin.PATCH('/v1/users/{id}', { params: { path: { id: userId } }, body: { quotaBytes } });
  expect(response.status).toBe(200);
}

it('sends the parts straight to the bucket, resumes on another instance and completes there', async () => {
  const file = await jpegOf(2 * PART + 12_345);
  const created = await owner.client.POST('/v1/direct-uploads', {
    body: { filename: 'alps.jpg', bytes: file.length, title: 'Alps, sent directly', tags: 'alps,direct' },
  });
  expect(created.response.status).toBe(201);
  const upload = created.data! as Upload;
  expect(created.response.headers.get('location')).toBe(`/v1/direct-uploads/${upload.id}`);
  expect(upload).toMatchObject({ state: 'open', bytes: file.length, partBytes: PART, partCount: 3 });
  expect(upload.parts!.map((p) => p.bytes)).toEqual([PART, PART, 12_345]);
  for (const part of upload.parts!) {
    // Each URL is the bucket's, signed for exactly its part's length.
    expect(new URL(part.url).origin).toBe(s3.endpoint);
    expect(new URL(part.url).searchParams.get('X-Amz-SignedHeaders')).toContain('content-length');
  }

  // The first part from A's URLs; then the client's next requests reach B.
  const first = await sendParts(upload, file, [1]);
  expect(await s3.pendingMultipartUploads(bucketName)).toBe(1);
  const resumed = await callB(`/v1/direct-uploads/${upload.id}`);
  expect(resumed.status).toBe(200);
  expect(resumed.body).toMatchObject({ id: upload.id, state: 'open', partCount: 3 });
  const rest = await sendParts(resumed.body as unknown as Upload, file, [2, 3]);

  const done = await complete(upload.id, [...rest, ...first], callB);
  expect(done.status).toBe(202);
  const panorama = done.body as { id: string; title: string; tags: string[]; bytes: number; sha256: string };
  expect(panorama).toMatchObject({ title: 'Alps, sent directly', tags: ['alps', 'direct'], bytes: file.length });
  expect(done.headers.get('location')).toBe(`/v1/panoramas/${panorama.id}`);
  const sha256 = createHash('sha256').update(file).digest('hex');
  expect(panorama.sha256).toBe(sha256);

  // The original is a copy inside the bucket; the assembled upload and its parts are gone.
  const original = `originals/${owner.id}/${panorama.id}/original.jpg`;
  expect(await keys(`originals/${owner.id}/`)).toEqual([original]);
  expect((await bucket.stat(original))?.sha256).toBe(sha256);
  expect(await keys(`uploads/${owner.id}/`)).toEqual([]);
  expect(await s3.pendingMultipartUploads(bucketName)).toBe(0);

  // Its tiles are cut (by A's worker: B has none) as for any upload.
  const tileSetId = (done.body as { tileSets: { id: string }[] }).tileSets[0].id;
  const events = await followEvents(`${b.baseUrl}/v1/tilesets/${tileSetId}/events`, owner.accessToken);
  expect(events.at(-1)).toMatchObject({ event: 'ready' });

  // Completing again (an answer lost on the way) answers the same panorama, on either instance.
  const again = await complete(upload.id, [...first, ...rest]);
  expect(again.status).toBe(200);
  expect((again.body as { id: string }).id).toBe(panorama.id);
  expect((await callA(`/v1/direct-uploads/${upload.id}`)).body).toMatchObject({
    state: 'completed',
    panoramaId: panorama.id,
  });
  expect((await callA('/v1/direct-uploads')).body).toEqual({ offered: true, items: [] });
});

it('makes one panorama when completes are released at once on both instances', async () => {
  const file = await jpegOf(PART + 1000);
  const upload = (await create(file)).body as unknown as Upload;
  const parts = await sendParts(upload, file);
  const answers = await Promise.all(
    Array.from({ length: 6 }, (_, i) => complete(upload.id, parts, i % 2 === 0 ? callA : callB)),
  );
  expect(answers.map((r) => r.status).sort()).toEqual([200, 200, 200, 200, 200, 202]);
  const ids = new Set(answers.map((r) => (r.body as { id: string }).id));
  expect(ids.size).toBe(1);
  const list = await owner.client.GET('/v1/panoramas', { params: { query: { limit: 100 } } });
  expect(list.data!.items.filter((p) => p.id === [...ids][0])).toHaveLength(1);
  expect(await keys(`uploads/${owner.id}/`)).toEqual([]);
});

it('refuses at creation what could not be accepted, and counts unfinished uploads released at once', async () => {
  const user = await a.userClient();
  const call = on(
    () => a,
    () => user.accessToken,
  );
  expectProblem(
    await call('/v1/direct-uploads', {
      method: 'POST',
      json: { filename: 'big.jpg', bytes: a.config.UPLOAD_MAX_BYTES + 1 },
    }),
    413,
    'UPLOAD_TOO_LARGE',
  );
  for (const hostile of [
    { filename: 'x.jpg', bytes: 0 },
    { filename: 'x.jpg', bytes: -1 },
    { filename: 'x.jpg', bytes: 1.5 },
    { filename: 'x.jpg', bytes: '10' },
    { filename: '', bytes: 10 },
    { filename: 'x.jpg', bytes: 10, title: 'two\nlines' },
    { filename: 'x.jpg', bytes: 10, tileSize: 100_000 },
    { filename: 'x.jpg', bytes: 10, collectionId: "'; drop table panoramas; --" },
    { filename: 'x.jpg', bytes: 10, owner: owner.id },
  ]) {
    expectProblem(await call('/v1/direct-uploads', { method: 'POST', json: hostile }), 400, 'VALIDATION_FAILED');
  }
  expectProblem(
    await call('/v1/direct-uploads', { method: 'POST', json: { filename: 'x.jpg', bytes: 10, presets: 'nope' } }),
    400,
    'UNKNOWN_PRESET',
  );

  // A quota of three files' worth: six creations released at once on two instances hold three.
  const size = 1_000_000;
  await setQuota(user.id, 3 * size);
  const creations = await Promise.all(
    Array.from({ length: 6 }, (_, i) =>
      on(
        () => (i % 2 === 0 ? a : b),
        () => user.accessToken,
      )('/v1/direct-uploads', { method: 'POST', json: { filename: `p${i}.jpg`, bytes: size } }),
    ),
  );
  expect(creations.filter((r) => r.status === 201)).toHaveLength(3);
  for (const refused of creations.filter((r) => r.status !== 201)) expectProblem(refused, 422, 'QUOTA_EXCEEDED');

  // Unfinished uploads of both kinds count together (UPLOAD_RESUMABLE_MAX_PER_USER = 4 here).
  await setQuota(user.id, null);
  expect((await call('/v1/direct-uploads', { method: 'POST', json: { filename: 'q.jpg', bytes: 10 } })).status).toBe(
    201,
  );
  const tus = await fetch(`${a.baseUrl}/v1/uploads`, {
    method: 'POST',
    headers: { authorization: `Bearer ${user.accessToken}`, 'tus-resumable': '1.0.0', 'upload-length': '10' },
  });
  expect(tus.status).toBe(422);
  expect(((await tus.json()) as { code: string }).code).toBe('TOO_MANY_UNFINISHED_UPLOADS');
  expectProblem(
    await call('/v1/direct-uploads', { method: 'POST', json: { filename: 'r.jpg', bytes: 10 } }),
    422,
    'TOO_MANY_UNFINISHED_UPLOADS',
  );

  // Deleting them frees the places, and their multipart uploads go from the bucket.
  const listed = ((await call('/v1/direct-uploads')).body as unknown as { items: Upload[] }).items;
  expect(listed).toHaveLength(4);
  const before = await s3.pendingMultipartUploads(bucketName);
  for (const upload of listed)
    expect((await call(`/v1/direct-uploads/${upload.id}`, { method: 'DELETE' })).status).toBe(204);
  expect(await s3.pendingMultipartUploads(bucketName)).toBe(before - 4);
  expect((await call('/v1/direct-uploads')).body).toEqual({ offered: true, items: [] });
});

it('ends the upload when the file is refused, and leaves nothing in the bucket', async () => {
  const text = Buffer.concat([Buffer.from('not a picture at all\n'), randomBytes(PART)]);
  const upload = (await create(text, { title: 'Refused' })).body as unknown as Upload;
  const parts = await sendParts(upload, text);
  expectProblem(await complete(upload.id, parts), 415, 'UNSUPPORTED_MEDIA_TYPE');
  expectProblem(await callB(`/v1/direct-uploads/${upload.id}`), 404, 'UPLOAD_NOT_FOUND');
  expect(await keys(`uploads/${owner.id}/`)).toEqual([]);
  expect(await s3.pendingMultipartUploads(bucketName)).toBe(0);
});

it('asks for the missing parts, and discards parts that do not make the declared file', async () => {
  const file = await jpegOf(PART + 10);
  const upload = (await create(file)).body as unknown as Upload;
  const [first] = await sendParts(upload, file, [1]);

  // One part listed of two: nothing is assembled; the upload waits for the rest.
  expectProblem(await complete(upload.id, [first]), 400, 'UPLOAD_INCOMPLETE');
  expectProblem(await complete(upload.id, [first, first]), 400, 'UPLOAD_INCOMPLETE');
  expectProblem(await complete(upload.id, [first, { partNumber: 3, etag: first.etag }]), 400, 'UPLOAD_INCOMPLETE');
  expectProblem(await complete(upload.id, [{ partNumber: 1, etag: 'x y' }]), 400, 'VALIDATION_FAILED');
  expect((await callA(`/v1/direct-uploads/${upload.id}`)).body).toMatchObject({ state: 'open' });

  // A last part longer than signed (S3 itself refuses it; this loopback server takes it):
  // the file is not the size declared, and the upload is discarded.
  const last = upload.parts![1];
  const longer = await fetch(last.url, { method: 'PUT', body: Buffer.concat([file.subarray(PART), Buffer.alloc(99)]) });
  const problem = expectProblem(
    await complete(upload.id, [first, { partNumber: 2, etag: longer.headers.get('etag')! }]),
    400,
    'UPLOAD_INCOMPLETE',
  );
  expect(problem.detail).toContain(`not the ${file.length} declared`);
  expectProblem(await callA(`/v1/direct-uploads/${upload.id}`), 404, 'UPLOAD_NOT_FOUND');
  expect(await keys(`uploads/${owner.id}/`)).toEqual([]);
});

it('keeps the upload through an S3 outage at completion, and completes once S3 is back', async () => {
  const file = await jpegOf(PART + 10);
  const upload = (await create(file)).body as unknown as Upload;
  const parts = await sendParts(upload, file);
  await s3.stop();
  try {
    expectProblem(await complete(upload.id, parts), 503, 'STORAGE_UNAVAILABLE');
  } finally {
    await s3.start();
  }
  expect((await callB(`/v1/direct-uploads/${upload.id}`)).body).toMatchObject({ state: 'open' });
  const done = await complete(upload.id, parts, callB);
  expect(done.status).toBe(202);
  expect((done.body as { sha256: string }).sha256).toBe(createHash('sha256').update(file).digest('hex'));
});

it('refuses at completion what the quota no longer allows', async () => {
  const user = await a.userClient();
  const call = on(
    () => b,
    () => user.accessToken,
  );
  const file = await jpegOf(PART + 10);
  const upload = (await call('/v1/direct-uploads', { method: 'POST', json: { filename: 'q.jpg', bytes: file.length } }))
    .body as unknown as Upload;
  const parts = await sendParts(upload, file);
  await setQuota(user.id, file.length - 1);
  expectProblem(
    await call(`/v1/direct-uploads/${upload.id}/complete`, { method: 'POST', json: { parts } }),
    422,
    'QUOTA_EXCEEDED',
  );
  expectProblem(await call(`/v1/direct-uploads/${upload.id}`), 404, 'UPLOAD_NOT_FOUND');
  expect(await keys(`uploads/${user.id}/`)).toEqual([]);
  expect(await keys(`originals/${user.id}/`)).toEqual([]);
});

it("keeps every upload to its owner: another user's id is unknown", async () => {
  const file = await jpegOf(PART + 10);
  const upload = (await create(file)).body as unknown as Upload;
  const stranger = await a.userClient();
  const call = on(
    () => a,
    () => stranger.accessToken,
  );
  expectProblem(await call(`/v1/direct-uploads/${upload.id}`), 404, 'UPLOAD_NOT_FOUND');
  expectProblem(
    await call(`/v1/direct-uploads/${upload.id}/complete`, {
      method: 'POST',
      json: { parts: [{ partNumber: 1, etag: '"x"' }] },
    }),
    404,
    'UPLOAD_NOT_FOUND',
  );
  expectProblem(await call(`/v1/direct-uploads/${upload.id}`, { method: 'DELETE' }), 404, 'UPLOAD_NOT_FOUND');
  expectProblem(await call('/v1/direct-uploads/not-a-uuid'), 400, 'VALIDATION_FAILED');
  expect((await callA(`/v1/direct-uploads/${upload.id}`)).body).toMatchObject({ state: 'open' });
  expect((await callA(`/v1/direct-uploads/${upload.id}`, { method: 'DELETE' })).status).toBe(204);
});

it('sweeps expired uploads on any instance, their parts with them', async () => {
  const file = await jpegOf(PART + 10);
  const upload = (await create(file)).body as unknown as Upload;
  await sendParts(upload, file, [1]);
  const pending = await s3.pendingMultipartUploads(bucketName);
  const db = new pg.Client({ connectionString: a.db.url });
  await db.connect();
  try {
    await db.query(`update direct_uploads set expires_at = now() - interval '1 second' where id = $1`, [upload.id]);
  } finally {
    await db.end();
  }
  // Expired: unknown at once, before any sweep.
  expectProblem(await callA(`/v1/direct-uploads/${upload.id}`), 404, 'UPLOAD_NOT_FOUND');
  // An upload a request holds (a complete under way) is left to the next sweep.
  const held = await b.app.get(SharedLocks).acquire(`direct-upload:${upload.id}`, { timeoutMs: 1000 });
  try {
    expect(await a.app.get(DirectUploads).sweep()).toBe(0);
  } finally {
    await held.release();
  }
  expect(await s3.pendingMultipartUploads(bucketName)).toBe(pending);
  const swept = await Promise.all([a.app.get(DirectUploads).sweep(), b.app.get(DirectUploads).sweep()]);
  expect(swept.reduce((x, y) => x + y, 0)).toBe(1);
  expect(await s3.pendingMultipartUploads(bucketName)).toBe(pending - 1);
});

describe('in the web app', () => {
  let browser: Browser;
  let scratch: string;
  beforeAll(async () => {
    browser = await launchBrowser();
    scratch = await mkdtemp(join(tmpdir(), 'tessera-direct-web-'));
    // What an operator does for a bucket browsers upload to: let the app's origin PUT and read ETag.
    const admin = new S3Client({
      region: 'us-east-1',
      endpoint: s3.endpoint,
      forcePathStyle: true,
      credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    });
    await admin.send(
      new PutBucketCorsCommand({
        Bucket: bucketName,
        CORSConfiguration: {
          CORSRules: [
            { AllowedOrigins: [a.baseUrl], AllowedMethods: ['PUT'], AllowedHeaders: ['*'], ExposeHeaders: ['ETag'] },
          ],
        },
      }),
    );
    admin.destroy();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await rm(scratch, { recursive: true, force: true });
  });

  const signIn = (page: Page, email: string, password: string) => signInToWebApp(page, a.baseUrl, email, password);

  /** What the page sent where: PUTs to the bucket (by part number) and anything to tus. */
  function watch(page: Page) {
    const seen = { bucketParts: [] as number[], tus: 0, problems: [] as string[] };
    page.on('request', (r) => {
      const url = new URL(r.url());
      if (url.origin === s3.endpoint && r.method() === 'PUT')
        seen.bucketParts.push(Number(url.searchParams.get('partNumber')));
      if (url.pathname.startsWith('/v1/uploads')) seen.tus++;
    });
    page.on('pageerror', (e) => seen.problems.push(`page error: ${e.message}`));
    page.on('console', (m) => m.type() === 'error' && seen.problems.push(m.text()));
    return seen;
  }

  it('sends the file from the page to the bucket, and resumes it in a new tab with the missing parts only', async () => {
    const user = await a.userClient();
    const context = await browser.newContext({ viewport: { width: 1200, height: 800 } });
    const first = await context.newPage();
    const seen = watch(first);
    await signIn(first, user.email, user.password);

    // Part 1 reaches the bucket; parts 2 and 3 are held on the way, then the tab closes.
    const bytes = await jpegOf(2 * PART + 4321);
    const file = join(scratch, 'direct.jpg');
    await writeFile(file, bytes);
    await first.route(`${s3.endpoint}/**`, async (route) => {
      if (route.request().method() !== 'PUT' || new URL(route.request().url()).searchParams.get('partNumber') === '1')
        return route.continue();
      // Held: never answered, until the tab goes.
    });
    await first.setInputFiles('#files', file);
    await first.waitForFunction(() =>
      Object.keys(localStorage).some(
        (key) => key.startsWith('tessera.direct:') && localStorage.getItem(key)!.includes('"1":'),
      ),
    );
    expect(seen.bucketParts.sort()).toEqual([1, 2, 3]);
    expect(seen.tus).toBe(0);
    await first.close();

    // A new tab: the unfinished upload is offered; the same file resumes with parts 2 and 3.
    const second = await context.newPage();
    const resumed = watch(second);
    await second.goto(`${a.baseUrl}/app`);
    const unfinished = second.locator('#uploads li.unfinished');
    await unfinished.waitFor();
    expect(await unfinished.textContent()).toMatch(/direct\.jpg.*of .* sent\. Choose the same file to resume/s);
    await second.setInputFiles('#files', file);
    const item = second.locator('#uploads li').first();
    await item.locator('.state', { hasText: 'uploaded' }).waitFor({ timeout: 60_000 });
    await item.locator('.tileset[data-status=ready]').waitFor({ timeout: 60_000 });
    expect(resumed.bucketParts.sort()).toEqual([2, 3]);
    expect(resumed.tus).toBe(0);
    expect(resumed.problems).toEqual([]);

    const list = await user.client.GET('/v1/panoramas', { params: { query: {} } });
    const landed = list.data!.items.find((p) => p.originalFilename === 'direct.jpg');
    expect(landed?.sha256).toBe(createHash('sha256').update(bytes).digest('hex'));
    expect(
      await second.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith('tessera.direct:'))),
    ).toEqual([]);
    await context.close();
  }, 180_000);
});

describe('resumable (tus) uploads with their parts in the bucket', () => {
  const tusHeaders = (token: string, headers: Record<string, string> = {}) => ({
    'tus-resumable': '1.0.0',
    authorization: `Bearer ${token}`,
    ...headers,
  });
  const createTus = (api: ApiHarness, token: string, headers: Record<string, string>) =>
    fetch(`${api.baseUrl}/v1/uploads`, { method: 'POST', headers: tusHeaders(token, headers) });
  const patchTus = (
    api: ApiHarness,
    token: string,
    url: string,
    offset: number,
    body: Uint8Array | ReadableStream<Uint8Array>,
    extra: { headers?: Record<string, string>; signal?: AbortSignal } = {},
  ) =>
    fetch(`${api.baseUrl}${url}`, {
      method: 'PATCH',
      headers: tusHeaders(token, {
        'upload-offset': String(offset),
        'content-type': 'application/offset+octet-stream',
        ...extra.headers,
      }),
      body,
      signal: extra.signal,
      duplex: 'half',
    });
  const offsetOf = async (api: ApiHarness, token: string, url: string) => {
    const answer = await fetch(`${api.baseUrl}${url}`, { method: 'HEAD', headers: tusHeaders(token) });
    expect(answer.status).toBe(200);
    return Number(answer.headers.get('upload-offset'));
  };
  const uuidIn = (url: string) => url.split('/').at(-1)!;
  /** What either instance keeps of resumable uploads on its own disk: nothing, with S3. */
  const onDisk = async () =>
    (
      await Promise.all(
        [a, b].map((api) => readdir(join(api.workerEnv.UPLOAD_TMP_DIR, '..', 'resumable')).catch(() => [])),
      )
    ).flat();

  it('takes each request of one upload on either instance: bytes, a cut-off, the length declared late, the end', async () => {
    const file = await jpegOf(2 * PART + 12_345);
    const pending = await s3.pendingMultipartUploads(bucketName);
    // The length is told later (deferred), on the other instance: each must read it from the bucket.
    const created = await createTus(a, owner.accessToken, {
      'upload-defer-length': '1',
      'upload-metadata': `filename ${Buffer.from('pass.jpg').toString('base64')},title ${Buffer.from('Pass, resumed').toString('base64')}`,
    });
    expect(created.status).toBe(201);
    const url = created.headers.get('location')!;
    expect(url).toMatch(/^\/v1\/uploads\/[0-9a-f-]{36}$/);
    const id = uuidIn(url);

    // A: one whole part and 1000 bytes more (too few for a part: kept as the upload's tail object).
    const first = await patchTus(a, owner.accessToken, url, 0, file.subarray(0, PART + 1000));
    expect(first.status).toBe(204);
    expect(first.headers.get('upload-offset')).toBe(String(PART + 1000));
    // Under the owner's prefix: a new upload of theirs lists these, and no one else's.
    expect((await keys('tus/')).sort()).toEqual([`tus/${owner.id}/${id}.info`, `tus/${owner.id}/${id}.part`]);
    expect(await s3.pendingMultipartUploads(bucketName)).toBe(pending + 1);
    expect(await onDisk()).toEqual([]);

    // B: the length, then 2 MB, and the line goes quiet; the client gives up on that request.
    expect(await offsetOf(b, owner.accessToken, url)).toBe(PART + 1000);
    const abort = new AbortController();
    let sent = 0;
    const cut = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent >= 2_000_000) {
          abort.abort();
          return new Promise(() => undefined);
        }
        const chunk = file.subarray(PART + 1000 + sent, PART + 1000 + sent + 65_536);
        sent += chunk.length;
        controller.enqueue(chunk);
      },
    });
    await expect(
      patchTus(b, owner.accessToken, url, PART + 1000, cut, {
        headers: { 'upload-length': String(file.length) },
        signal: abort.signal,
      }),
    ).rejects.toThrow();

    // A: where to go on from (what B kept of the cut request, once B has let the upload go), then the rest.
    let offset = await offsetOf(a, owner.accessToken, url);
    while (offset === PART + 1000) offset = await offsetOf(a, owner.accessToken, url);
    expect(offset).toBeGreaterThan(PART + 1000);
    expect(offset).toBeLessThanOrEqual(PART + 1000 + sent);
    const last = await patchTus(a, owner.accessToken, url, offset, file.subarray(offset));
    expect(last.status).toBe(204);
    const panoramaId = last.headers.get('tessera-panorama-id')!;
    const { data } = await owner.client.GET('/v1/panoramas/{id}', { params: { path: { id: panoramaId } } });
    const sha256 = createHash('sha256').update(file).digest('hex');
    expect(data).toMatchObject({ title: 'Pass, resumed', bytes: file.length, sha256 });
    // The original is a server-side copy of the finished upload, which goes with its info
    // object once the answer is out (tus may read the upload until then).
    expect((await bucket.stat(`originals/${owner.id}/${panoramaId}/original.jpg`))?.sha256).toBe(sha256);
    while ((await keys('tus/')).length > 0) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(await s3.pendingMultipartUploads(bucketName)).toBe(pending);
    expect(await onDisk()).toEqual([]);
  });

  it('answers 503 while the bucket is down (not 404: the upload is there), and goes on once it is back', async () => {
    const file = await jpegOf(PART + 100);
    const created = await createTus(a, owner.accessToken, { 'upload-length': String(file.length) });
    const url = created.headers.get('location')!;
    expect((await patchTus(a, owner.accessToken, url, 0, file.subarray(0, 1000))).status).toBe(204);
    await s3.stop();
    try {
      const head = await fetch(`${b.baseUrl}${url}`, { method: 'HEAD', headers: tusHeaders(owner.accessToken) });
      expect(head.status).toBe(503);
      expect(head.headers.get('retry-after')).toMatch(/^[1-9][0-9]*$/); // when to try again, as every 503 has
      const patched = await patchTus(b, owner.accessToken, url, 1000, file.subarray(1000));
      expectProblem(
        { status: patched.status, headers: patched.headers, body: await patched.json() },
        503,
        'STORAGE_UNAVAILABLE',
      );
    } finally {
      await s3.start();
    }
    expect(await offsetOf(b, owner.accessToken, url)).toBe(1000);
    const rest = await patchTus(b, owner.accessToken, url, 1000, file.subarray(1000));
    expect(rest.status).toBe(204);
    const { data } = await owner.client.GET('/v1/panoramas/{id}', {
      params: { path: { id: rest.headers.get('tessera-panorama-id')! } },
    });
    expect(data).toMatchObject({ bytes: file.length, sha256: createHash('sha256').update(file).digest('hex') });
  });

  it('caps unfinished uploads across instances, and leaves nothing of one deleted or expired', async () => {
    const user = await a.userClient();
    // Someone else's unfinished upload, which the user's creations must not even read.
    const others = (await createTus(a, owner.accessToken, { 'upload-length': '3000000' })).headers.get('location')!;
    expect((await patchTus(a, owner.accessToken, others, 0, new Uint8Array(1000))).status).toBe(204);
    const pending = await s3.pendingMultipartUploads(bucketName);
    const requestsBefore = s3.requests.length;
    // Five creations released at once on both instances: the cap (four, with direct uploads) holds.
    const created = await Promise.all(
      [a, b, a, b, a].map((api) => createTus(api, user.accessToken, { 'upload-length': '3000000' })),
    );
    expect(created.map((r) => r.status).sort()).toEqual([201, 201, 201, 201, 422]);
    // Each counted the user's own uploads (a listing of their prefix), not every upload in the bucket.
    expect(s3.requests.slice(requestsBefore).filter((r) => r.includes(uuidIn(others)))).toEqual([]);
    expect(s3.requests.slice(requestsBefore).filter((r) => r.includes(`/tus/${owner.id}/`))).toEqual([]);
    // Nor can the user reach it by its UUID (it names no upload of theirs).
    expect(
      (await fetch(`${b.baseUrl}${others}`, { method: 'HEAD', headers: tusHeaders(user.accessToken) })).status,
    ).toBe(404);
    const refused = created.find((r) => r.status === 422)!;
    expect(((await refused.json()) as { code: string }).code).toBe('TOO_MANY_UNFINISHED_UPLOADS');
    const [gone, expired, ...rest] = created.filter((r) => r.status === 201).map((r) => r.headers.get('location')!);
    for (const url of [gone, expired]) {
      expect((await patchTus(a, user.accessToken, url, 0, new Uint8Array(1000).fill(1))).status).toBe(204);
    }
    expect(await s3.pendingMultipartUploads(bucketName)).toBe(pending + 4);

    // Deleted on the other instance: its multipart upload, tail and info go.
    const deleted = await fetch(`${b.baseUrl}${gone}`, { method: 'DELETE', headers: tusHeaders(user.accessToken) });
    expect(deleted.status).toBe(204);
    expect((await keys('tus/')).filter((key) => key.includes(uuidIn(gone)))).toEqual([]);
    expect(await s3.pendingMultipartUploads(bucketName)).toBe(pending + 3);

    // Made two days old, as far as its info object tells.
    const client = new S3Client({
      region: 'us-east-1',
      endpoint: s3.endpoint,
      forcePathStyle: true,
      credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    });
    try {
      const key = `tus/${user.id}/${uuidIn(expired)}.info`;
      const stored = await client.send(new GetObjectCommand({ Bucket: bucketName, Key: key }));
      const info = JSON.parse(await stored.Body!.transformToString()) as { creation_date: string };
      info.creation_date = new Date(Date.now() - 2 * 86_400_000).toISOString();
      await client.send(
        new PutObjectCommand({ Bucket: bucketName, Key: key, Body: JSON.stringify(info), Metadata: stored.Metadata }),
      );
    } finally {
      client.destroy();
    }
    // Held by a request (on B): left to the next sweep.
    const held = await b.app
      .get(SharedLocks)
      .acquire(tusLockKey(`tus/${user.id}/${uuidIn(expired)}`), { timeoutMs: 1000 });
    try {
      expect(await a.app.get(ResumableUploads).sweep()).toBe(0);
    } finally {
      await held.release();
    }
    const swept = await Promise.all([a.app.get(ResumableUploads).sweep(), b.app.get(ResumableUploads).sweep()]);
    expect(swept.reduce((x, y) => x + y, 0)).toBe(1);
    expect((await keys('tus/')).filter((key) => key.includes(uuidIn(expired)))).toEqual([]);
    expect(await s3.pendingMultipartUploads(bucketName)).toBe(pending + 2);
    expect(
      (await fetch(`${a.baseUrl}${expired}`, { method: 'HEAD', headers: tusHeaders(user.accessToken) })).status,
    ).toBe(404);

    for (const [url, token] of [...rest.map((url) => [url, user.accessToken]), [others, owner.accessToken]]) {
      expect((await fetch(`${a.baseUrl}${url}`, { method: 'DELETE', headers: tusHeaders(token) })).status).toBe(204);
    }
    expect(await keys('tus/')).toEqual([]);
    expect(await s3.pendingMultipartUploads(bucketName)).toBe(pending - 1); // the other user's too
  });
});

describe('on local storage', () => {
  let local: ApiHarness;
  beforeAll(async () => {
    local = await startApi();
  }, 60_000);
  afterAll(() => local?.close());

  it('says direct uploads are not offered, and answers 501 with what to use instead', async () => {
    const user = await local.userClient();
    const created = await user.client.POST('/v1/direct-uploads', { body: { filename: 'x.jpg', bytes: 10 } });
    const problem = expectProblem(fromClient(created), 501, 'NOT_IMPLEMENTED');
    expect(problem.detail).toContain('STORAGE_DRIVER=s3');
    expect((await user.client.GET('/v1/direct-uploads')).data).toEqual({ offered: false, items: [] });
  });
});
