import { join } from 'node:path';
import type { Server } from 'node:http';
import type { Socket } from 'node:net';
import { FOREIGN_FILES, jpegClaiming, makeJpeg, makePngWithAlpha, pngBomb, pngClaiming } from '#testing';
import { type ApiHarness, expectProblem, fromClient, startApi } from './support/api-harness.js';
import {
  abortedUpload,
  filesIn,
  originalsIn,
  multipartBody,
  rawRequest,
  rowsOf,
  tempFilesIn,
  type Part,
  upload,
} from './support/uploads.js';

/**
 * SECURITY.md items 1-11 against the upload route: every bad input gets a clear problem,
 * and nothing is left on disk (storage or temp) or in the database.
 */
const MAX_PIXELS = 20_000_000;
let api: ApiHarness;
let user: Awaited<ReturnType<ApiHarness['userClient']>>;
let jpeg: Buffer;

beforeAll(async () => {
  api = await startApi({ IMAGE_MAX_PIXELS: String(MAX_PIXELS) });
  user = await api.userClient();
  jpeg = await makeJpeg(800, 400);
});
afterAll(() => api?.close());

async function expectNothingStored() {
  // A preset rendition stored just before its panorama was deleted is removed by its job
  // once it commits (render-rendition.use-case.ts): wait for that (the test's own timeout
  // bounds it; CI once saw it take more than 10 s).
  // Likewise a staged file of an aborted request: on a loaded machine the server may create
  // it after the test first looked, and remove it when it notices the reset.
  const originals = join(api.storageRoot, 'originals');
  while ((await filesIn(originals)).length > 0) await new Promise((r) => setTimeout(r, 100));
  while ((await tempFilesIn(api.uploadTmpDir)).length > 0) await new Promise((r) => setTimeout(r, 100));
  expect(await filesIn(originals)).toEqual([]);
  expect(await tempFilesIn(api.uploadTmpDir)).toEqual([]);
  expect(await rowsOf(api.db.url, user.id)).toEqual({ panoramas: 0, tileSets: 0 });
}

const send = (parts: Part[], extraHeaders: Record<string, string> = {}) => {
  const { body, contentType } = multipartBody(parts);
  return rawRequest(api.baseUrl, '/v1/panoramas', {
    headers: { authorization: `Bearer ${user.accessToken}`, 'content-type': contentType, ...extraHeaders },
    body,
  });
};

async function removeAll() {
  for (const p of (await user.client.GET('/v1/panoramas', { params: { query: { limit: 100 } } })).data!.items) {
    await user.client.DELETE('/v1/panoramas/{id}', { params: { path: { id: p.id } } });
  }
}

describe('the bytes decide the type (items 1, 2)', () => {
  it('stores PNG bytes sent as "photo.jpg" with Content-Type image/jpeg as a PNG', async () => {
    const png = await makePngWithAlpha(300, 200);
    const response = await upload(user.client, png, { filename: 'photo.jpg', contentType: 'image/jpeg' });
    expect(response.data).toMatchObject({ format: 'png', contentType: 'image/png', originalFilename: 'photo.jpg' });
    expect(await originalsIn(join(api.storageRoot, 'originals', user.id))).toEqual([
      `${response.data!.id}/original.png`,
    ]);
    await removeAll();
    await expectNothingStored();
  });

  it.each(Object.keys(FOREIGN_FILES))('refuses %s bytes named .jpg with 415', async (kind) => {
    const response = await upload(user.client, FOREIGN_FILES[kind], {
      filename: 'holiday.jpg',
      contentType: 'image/jpeg',
    });
    expectProblem(fromClient(response), 415, 'UNSUPPORTED_MEDIA_TYPE');
    await expectNothingStored();
  });
});

describe('empty, truncated and damaged files (item 3)', () => {
  it('refuses zero bytes with 400 EMPTY_UPLOAD', async () => {
    expectProblem(fromClient(await upload(user.client, Buffer.alloc(0))), 400, 'EMPTY_UPLOAD');
    await expectNothingStored();
  });

  it('refuses a file cut inside its header with 422 INVALID_IMAGE', async () => {
    expectProblem(fromClient(await upload(user.client, jpeg.subarray(0, 20))), 422, 'INVALID_IMAGE');
    await expectNothingStored();
  });

  it('refuses a JPEG signature followed by garbage with 422', async () => {
    const garbage = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(2000, 0x41)]);
    expectProblem(fromClient(await upload(user.client, garbage)), 422, 'INVALID_IMAGE');
    await expectNothingStored();
  });

  it('accepts a file whose header is intact but whose data is cut or padded (tiling will judge it)', async () => {
    for (const bytes of [
      jpeg.subarray(0, Math.floor(jpeg.length / 2)),
      Buffer.concat([jpeg, Buffer.alloc(500, 0x42)]),
    ]) {
      const response = await upload(user.client, bytes);
      expect(response.response.status).toBe(202);
    }
    await removeAll();
    await expectNothingStored();
  });
});

describe('pixel bombs (items 4, 5)', () => {
  it('refuses a 69-byte-ish PNG claiming 100000x100000 with 422, fast', async () => {
    const bomb = pngClaiming(100_000, 100_000);
    expect(bomb.length).toBeLessThan(100);
    const response = await upload(user.client, bomb, { filename: 'bomb.png' });
    const problem = expectProblem(fromClient(response), 422, 'IMAGE_TOO_LARGE');
    expect(problem).toMatchObject({ width: 100_000, height: 100_000 });
    await expectNothingStored();
  });

  it('refuses a tiny JPEG claiming 65000x65000 with 422', async () => {
    const response = await upload(user.client, await jpegClaiming(65_000, 65_000));
    expectProblem(fromClient(response), 422, 'IMAGE_TOO_LARGE');
    await expectNothingStored();
  });

  it('refuses a real deflate bomb above IMAGE_MAX_PIXELS, and accepts one just below it', async () => {
    const above = await pngBomb(6000, 4000); // 24 MP in a few hundred KB
    expect(above.length).toBeLessThan(200_000);
    expectProblem(fromClient(await upload(user.client, above)), 422, 'IMAGE_TOO_LARGE');
    await expectNothingStored();

    const below = await pngBomb(5000, 4000); // 20 MP: exactly the limit
    const accepted = await upload(user.client, below);
    expect(accepted.response.status).toBe(202);
    expect(accepted.data).toMatchObject({ width: 5000, height: 4000 });
    await removeAll();
  });
});

describe('malformed multipart and extra parts (item 8)', () => {
  const file = (data: Buffer, name = 'file'): Part => ({ name, filename: 'a.jpg', contentType: 'image/jpeg', data });

  it.each([
    ['no file part', () => [{ name: 'title', value: 'x' }], 400, 'MISSING_FILE'],
    ['two files', () => [file(jpeg), file(jpeg)], 400, 'TOO_MANY_PARTS'],
    ['a file under another name', () => [file(jpeg, 'image')], 400, 'UNEXPECTED_FILE'],
    [
      'a text field over 64 KiB',
      () => [{ name: 'description', value: 'x'.repeat(70_000) }, file(jpeg)],
      400,
      'FIELD_TOO_LARGE',
    ],
    [
      'seventeen text fields',
      () => [...Array.from({ length: 17 }, (_, i) => ({ name: `f${i}`, value: 'x' })), file(jpeg)],
      400,
      'TOO_MANY_PARTS',
    ],
    [
      'an unknown field',
      () => [file(jpeg), { name: 'ownerId', value: '00000000-0000-4000-8000-000000000000' }],
      400,
      'VALIDATION_FAILED',
    ],
    ['a field named __proto__', () => [file(jpeg), { name: '__proto__', value: 'x' }], 400, 'VALIDATION_FAILED'],
    [
      'a field sent twice',
      () => [{ name: 'title', value: 'a' }, { name: 'title', value: 'b' }, file(jpeg)],
      400,
      'DUPLICATE_FIELD',
    ],
    ['a tile size of 32', () => [file(jpeg), { name: 'tileSize', value: '32' }], 400, 'VALIDATION_FAILED'],
    ['a tile size of 2048', () => [{ name: 'tileSize', value: '2048' }, file(jpeg)], 400, 'VALIDATION_FAILED'],
    ['tile format gif', () => [file(jpeg), { name: 'tileFormat', value: 'gif' }], 400, 'VALIDATION_FAILED'],
    ['overlap 9', () => [file(jpeg), { name: 'overlap', value: '9' }], 400, 'VALIDATION_FAILED'],
  ] as const)('refuses %s', async (_name, parts, status, code) => {
    expectProblem(await send(parts()), status, code);
    await expectNothingStored();
  });

  it('refuses a multipart body that ends before its closing boundary', async () => {
    const { body, contentType } = multipartBody([file(jpeg)]);
    const truncated = body.subarray(0, body.length - 40);
    const response = await rawRequest(api.baseUrl, '/v1/panoramas', {
      headers: { authorization: `Bearer ${user.accessToken}`, 'content-type': contentType },
      body: truncated,
    });
    expectProblem(response, 400, 'MALFORMED_MULTIPART');
    await expectNothingStored();
  });

  // The request is refused by a part that precedes the file, while the start of the file part
  // is already in the parser: the refused request must not start an upload that then waits
  // forever for the rest of its bytes (a temp file left behind; once a flaky test).
  it('starts no upload for a file part that follows a refusing part in the same chunk', async () => {
    const { body, contentType } = multipartBody([
      { name: 'title', value: 'a' },
      { name: 'title', value: 'b' },
      file(jpeg),
    ]);
    const cut = body.length - Math.floor(jpeg.length / 2);
    const response = await rawRequest(api.baseUrl, '/v1/panoramas', {
      headers: { authorization: `Bearer ${user.accessToken}`, 'content-type': contentType },
      pieces: [body.subarray(0, cut), body.subarray(cut)],
      pauseMs: 300,
    });
    expectProblem(response, 400, 'DUPLICATE_FIELD');
    await new Promise((resolve) => setTimeout(resolve, 500));
    await expectNothingStored();
  });

  it('refuses a body that is not multipart with 415', async () => {
    const response = await rawRequest(api.baseUrl, '/v1/panoramas', {
      headers: { authorization: `Bearer ${user.accessToken}`, 'content-type': 'application/json' },
      body: Buffer.from('{"file":"x"}'),
    });
    expectProblem(response, 415, 'UNSUPPORTED_MEDIA_TYPE');
    await expectNothingStored();
  });

  it('refuses a multipart without a boundary with 415', async () => {
    const response = await rawRequest(api.baseUrl, '/v1/panoramas', {
      headers: { authorization: `Bearer ${user.accessToken}`, 'content-type': 'multipart/form-data' },
      body: jpeg,
    });
    expect([400, 415]).toContain(response.status);
    await expectNothingStored();
  });
});

describe('hostile filenames (item 9)', () => {
  afterEach(removeAll);

  it.each([
    ['../../etc/passwd.jpg', 'passwd.jpg'],
    ['..\\..\\windows\\win.ini.jpg', 'win.ini.jpg'],
    ['evil\u202egpj.exe', 'evilgpj.exe'],
    ['\u200fmarked\u2066name\u2069.jpg', 'markedname.jpg'],
    ['...', 'upload'],
    [`${'a'.repeat(300)}.jpg`, `${'a'.repeat(251)}.jpg`],
  ])('stores %p under server ids, keeping only %p as metadata', async (filename, expected) => {
    const response = await upload(user.client, jpeg, { filename });
    expect(response.response.status).toBe(202);
    expect(response.data!.originalFilename).toBe(expected);
    expect(response.data!.title.length).toBeLessThanOrEqual(200);
    expect(await originalsIn(join(api.storageRoot, 'originals', user.id))).toEqual([
      `${response.data!.id}/original.jpg`,
    ]);
  });
});

describe('a client that disconnects mid-upload (item 7)', () => {
  it('leaves no temp file, no row and no object', async () => {
    const big = await makeJpeg(3000, 2000);
    const { body, contentType } = multipartBody([
      { name: 'file', filename: 'a.jpg', contentType: 'image/jpeg', data: big },
    ]);
    // The server notices the reset when its side of the connection closes; from then on the
    // upload's stream is destroyed and nothing stages it any more (a file staged before is
    // removed by the request that made it, which the loops in expectNothingStored wait for).
    const server: Server = api.app.getHttpServer();
    const closed = new Promise<void>((done) =>
      server.once('connection', (socket: Socket) => socket.once('close', () => setImmediate(done))),
    );
    await abortedUpload(api.baseUrl, user.accessToken, body, contentType, Math.floor(body.length / 2));
    await closed;
    await expectNothingStored();
    // And the service is fine afterwards.
    expect((await upload(user.client, jpeg)).response.status).toBe(202);
    await removeAll();
  });
});

describe('size limit (item 6)', () => {
  let limited: ApiHarness;
  let limitedUser: Awaited<ReturnType<ApiHarness['userClient']>>;
  beforeAll(async () => {
    limited = await startApi({ UPLOAD_MAX_BYTES: String(jpeg.length) });
    limitedUser = await limited.userClient();
  });
  afterAll(() => limited?.close());

  it('accepts a file of exactly UPLOAD_MAX_BYTES', async () => {
    expect((await upload(limitedUser.client, jpeg)).response.status).toBe(202);
  });

  it('refuses one byte more with 413, removing the temp file', async () => {
    const oneOver = Buffer.concat([jpeg, Buffer.from([0])]);
    const response = await upload(limitedUser.client, oneOver, { fields: { title: 'different bytes' } });
    const problem = expectProblem(fromClient(response), 413, 'UPLOAD_TOO_LARGE');
    expect(problem.limitBytes).toBe(jpeg.length);
    expect(await tempFilesIn(limited.uploadTmpDir)).toEqual([]);
    expect(await rowsOf(limited.db.url, limitedUser.id)).toEqual({ panoramas: 1, tileSets: 1 });
  });

  it('refuses before reading the body when Content-Length already proves it too big', async () => {
    const huge = Buffer.alloc(jpeg.length + 2 * 1024 * 1024, 1);
    const { body, contentType } = multipartBody([{ name: 'file', filename: 'a.jpg', data: huge }]);
    const response = await rawRequest(limited.baseUrl, '/v1/panoramas', {
      headers: { authorization: `Bearer ${limitedUser.accessToken}`, 'content-type': contentType },
      body,
    });
    expectProblem(response, 413, 'UPLOAD_TOO_LARGE');
    expect(await tempFilesIn(limited.uploadTmpDir)).toEqual([]);
  });
});

describe('quotas', () => {
  it('stops uploads past an admin-set quota with 422 QUOTA_EXCEEDED, before storing anything', async () => {
    const admin = await api.adminClient();
    const someone = await api.userClient();
    await admin.PATCH('/v1/users/{id}', { params: { path: { id: someone.id } }, body: { quotaPanoramas: 1 } });
    expect((await upload(someone.client, jpeg)).response.status).toBe(202);
    const second = await upload(someone.client, await makeJpeg(200, 100));
    expect(expectProblem(fromClient(second), 422, 'QUOTA_EXCEEDED')).toMatchObject({
      quota: 'panoramas',
      limit: 1,
      used: 1,
    });

    await admin.PATCH('/v1/users/{id}', {
      params: { path: { id: someone.id } },
      body: { quotaPanoramas: null, quotaBytes: jpeg.length + 100 },
    });
    const bigger = await upload(someone.client, await makeJpeg(1600, 800));
    expect(expectProblem(fromClient(bigger), 422, 'QUOTA_EXCEEDED')).toMatchObject({
      quota: 'bytes',
      limit: jpeg.length + 100,
    });
    expect(await rowsOf(api.db.url, someone.id)).toEqual({ panoramas: 1, tileSets: 1 });
    expect(await tempFilesIn(api.uploadTmpDir)).toEqual([]);

    const me = await admin.GET('/v1/users', { params: { query: { limit: 100 } } });
    expect(me.data!.items.find((u) => u.id === someone.id)).toMatchObject({
      quotaBytes: jpeg.length + 100,
      quotaPanoramas: null,
    });
  });

  // SECURITY.md item 24: usage was read before streaming and not again, so uploads racing
  // for the last of a quota all landed (5 of 5 with a quota of 1).
  it.each([1, 2, 3])('lets at most the quota through when uploads race for it (round %i)', async () => {
    const admin = await api.adminClient();
    const racer = await api.userClient();
    await admin.PATCH('/v1/users/{id}', { params: { path: { id: racer.id } }, body: { quotaPanoramas: 1 } });
    const images = await Promise.all([0, 1, 2, 3, 4].map((i) => makeJpeg(900 + i, 450)));
    const results = await Promise.all(images.map((image) => upload(racer.client, image)));
    const statuses = results.map((r) => r.response.status).sort();
    expect(statuses).toEqual([202, 422, 422, 422, 422]);
    for (const refused of results.filter((r) => r.response.status === 422)) {
      expectProblem(fromClient(refused), 422, 'QUOTA_EXCEEDED');
    }
    expect(await rowsOf(api.db.url, racer.id)).toEqual({ panoramas: 1, tileSets: 1 });
    expect(await originalsIn(join(api.storageRoot, 'originals', racer.id))).toHaveLength(1);

    // Bytes: room for one of two same-sized files, both sent at once.
    const bytesRacer = await api.userClient();
    const [a, b] = await Promise.all([makeJpeg(1200, 600), makeJpeg(1201, 600)]);
    await admin.PATCH('/v1/users/{id}', {
      params: { path: { id: bytesRacer.id } },
      body: { quotaBytes: Math.floor(Math.max(a.length, b.length) * 1.5) },
    });
    const pair = await Promise.all([upload(bytesRacer.client, a), upload(bytesRacer.client, b)]);
    expect(pair.map((r) => r.response.status).sort()).toEqual([202, 422]);
    expect(await rowsOf(api.db.url, bytesRacer.id)).toEqual({ panoramas: 1, tileSets: 1 });
    expect(await originalsIn(join(api.storageRoot, 'originals', bytesRacer.id))).toHaveLength(1);
    expect(await tempFilesIn(api.uploadTmpDir)).toEqual([]);
  });
});
