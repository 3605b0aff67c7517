import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { TesseraClient } from '#client';
import { makeJpeg, makePngWithAlpha, makeTiff, makeWebp } from '#testing';
import { type ApiHarness, expectProblem, fromClient, rawFetch, startApi } from './support/api-harness.js';
import { originalsIn, rowsOf, sha256, tempFilesIn, upload } from './support/uploads.js';

let api: ApiHarness;
let jpeg: Buffer;
beforeAll(async () => {
  api = await startApi();
  jpeg = await makeJpeg(6000, 3000);
});
afterAll(() => api?.close());

type User = Awaited<ReturnType<ApiHarness['userClient']>>;

describe('upload, read, download, rename, delete', () => {
  let user: User;
  let id: string;
  beforeAll(async () => {
    user = await api.userClient();
  });

  it('accepts a 6000x3000 JPEG: 202, Location, the panorama and its queued tile set', async () => {
    const response = await upload(user.client, jpeg, {
      filename: 'alps.jpg',
      contentType: 'image/jpeg',
      fields: { title: 'The Alps' },
    });
    expect(response.response.status).toBe(202);
    const panorama = response.data!;
    id = panorama.id;
    expect(response.response.headers.get('location')).toBe(`/v1/panoramas/${id}`);
    expect(panorama).toMatchObject({
      ownerId: user.id,
      title: 'The Alps',
      description: null,
      originalFilename: 'alps.jpg',
      contentType: 'image/jpeg',
      format: 'jpeg',
      bytes: jpeg.length,
      width: 6000,
      height: 3000,
      sha256: await sha256(jpeg),
    });
    expect(panorama.tileSets).toEqual([
      expect.objectContaining({
        status: expect.stringMatching(/^(queued|processing)$/), // a worker may have started it
        progress: 0,
        tileSize: 256,
        format: 'jpeg',
        quality: 85,
        overlap: 0,
        panoramaId: id,
      }),
    ]);
    // Stored under a key built from ids, byte for byte; the temp file is gone.
    const stored = join(api.storageRoot, 'originals', user.id, id, 'original.jpg');
    expect((await readFile(stored)).equals(jpeg)).toBe(true);
    expect(await tempFilesIn(api.uploadTmpDir)).toEqual([]);
  });

  it('lists it (own items, newest first) and filters by title', async () => {
    const list = await user.client.GET('/v1/panoramas');
    expect(list.data!.items.map((p) => p.id)).toEqual([id]);
    expect((await user.client.GET('/v1/panoramas', { params: { query: { title: 'alp' } } })).data!.items).toHaveLength(
      1,
    );
    expect(
      (await user.client.GET('/v1/panoramas', { params: { query: { title: 'nothing like it' } } })).data!.items,
    ).toHaveLength(0);
    // LIKE wildcards in the filter are literal.
    expect((await user.client.GET('/v1/panoramas', { params: { query: { title: '%' } } })).data!.items).toHaveLength(0);
  });

  it('gets it with its tile sets', async () => {
    const got = await user.client.GET('/v1/panoramas/{id}', { params: { path: { id } } });
    expect(got.data).toMatchObject({
      id,
      title: 'The Alps',
      // Queued, or already picked up by the worker embedded in the API.
      tileSets: [expect.objectContaining({ status: expect.stringMatching(/^(queued|processing|ready)$/) })],
    });
  });

  it('downloads the original byte-identical, as an attachment, with ETag and 304', async () => {
    const download = await user.client.GET('/v1/panoramas/{id}/original', {
      params: { path: { id } },
      parseAs: 'arrayBuffer',
    });
    const response = download.response;
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('image/jpeg');
    expect(response.headers.get('content-disposition')).toBe(
      `attachment; filename="alps.jpg"; filename*=UTF-8''alps.jpg`,
    );
    const etag = response.headers.get('etag');
    expect(etag).toBe(`"${await sha256(jpeg)}"`);
    expect(await sha256(download.data as ArrayBuffer)).toBe(await sha256(jpeg));

    const again = await fetch(`${api.baseUrl}/v1/panoramas/${id}/original`, {
      headers: { authorization: `Bearer ${user.accessToken}`, 'if-none-match': etag! },
    });
    expect(again.status).toBe(304);
  });

  it('serves byte ranges (206), ignores a stale If-Range, refuses ranges past the end (416)', async () => {
    const auth = { authorization: `Bearer ${user.accessToken}` };
    const partial = await fetch(`${api.baseUrl}/v1/panoramas/${id}/original`, {
      headers: { ...auth, range: 'bytes=100-199' },
    });
    expect(partial.status).toBe(206);
    expect(partial.headers.get('content-range')).toBe(`bytes 100-199/${jpeg.length}`);
    expect(Buffer.from(await partial.arrayBuffer()).equals(jpeg.subarray(100, 200))).toBe(true);

    const suffix = await fetch(`${api.baseUrl}/v1/panoramas/${id}/original`, {
      headers: { ...auth, range: 'bytes=-10' },
    });
    expect(Buffer.from(await suffix.arrayBuffer()).equals(jpeg.subarray(jpeg.length - 10))).toBe(true);

    const stale = await fetch(`${api.baseUrl}/v1/panoramas/${id}/original`, {
      headers: { ...auth, range: 'bytes=0-9', 'if-range': '"something-else"' },
    });
    expect(stale.status).toBe(200);
    await stale.arrayBuffer();

    const beyond = await rawFetch(api.baseUrl, `/v1/panoramas/${id}/original`, {
      headers: { ...auth, range: `bytes=${jpeg.length}-` },
    });
    expectProblem(beyond, 416, 'RANGE_NOT_SATISFIABLE');
    expect(beyond.headers.get('content-range')).toBe(`bytes */${jpeg.length}`);
  });

  it('renames it and clears the description; unknown fields change nothing', async () => {
    await user.client.PATCH('/v1/panoramas/{id}', { params: { path: { id } }, body: { description: 'first light' } });
    const renamed = await user.client.PATCH('/v1/panoramas/{id}', {
      params: { path: { id } },
      body: { title: 'Alps at dawn', description: null },
    });
    expect(renamed.data).toMatchObject({ title: 'Alps at dawn', description: null });

    for (const body of [
      { ownerId: user.id },
      { status: 'ready' },
      { sha256: 'x' },
      { title: '   ' },
      { title: 'x'.repeat(201) },
    ]) {
      const response = await rawFetch(api.baseUrl, `/v1/panoramas/${id}`, {
        method: 'PATCH',
        headers: { authorization: `Bearer ${user.accessToken}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      expectProblem(response, 400, 'VALIDATION_FAILED');
    }
    expect((await user.client.GET('/v1/panoramas/{id}', { params: { path: { id } } })).data).toMatchObject({
      title: 'Alps at dawn',
      ownerId: user.id,
    });
  });

  it('deletes it: 204, then 404, and no file or row is left', async () => {
    const deleted = await user.client.DELETE('/v1/panoramas/{id}', { params: { path: { id } } });
    expect(deleted.response.status).toBe(204);
    expectProblem(
      fromClient(await user.client.GET('/v1/panoramas/{id}', { params: { path: { id } } })),
      404,
      'PANORAMA_NOT_FOUND',
    );
    expectProblem(
      fromClient(await user.client.DELETE('/v1/panoramas/{id}', { params: { path: { id } } })),
      404,
      'PANORAMA_NOT_FOUND',
    );
    expect(await originalsIn(join(api.storageRoot, 'originals', user.id))).toEqual([]);
    expect(await rowsOf(api.db.url, user.id)).toEqual({ panoramas: 0, tileSets: 0 });
  });
});

describe('formats', () => {
  it.each([
    ['PNG with alpha', () => makePngWithAlpha(1200, 600), 'png', 'image/png', 'png'],
    ['WebP', () => makeWebp(1200, 600), 'webp', 'image/webp', 'webp'],
    ['TIFF', () => makeTiff(1200, 600), 'tiff', 'image/tiff', 'tif'],
  ])('accepts a %s', async (_name, make, format, contentType, extension) => {
    const user = await api.userClient();
    const bytes = await make();
    const response = await upload(user.client, bytes, { filename: `image.${extension}` });
    expect(response.response.status).toBe(202);
    expect(response.data).toMatchObject({ format, contentType, width: 1200, height: 600 });
    expect(await originalsIn(join(api.storageRoot, 'originals', user.id))).toEqual([
      `${response.data!.id}/original.${extension}`,
    ]);
  });
});

describe('optional fields', () => {
  it('treats empty text fields as absent, as forms send them', async () => {
    const user = await api.userClient();
    const response = await upload(user.client, await makeJpeg(300, 150), {
      filename: 'empty-fields.jpg',
      fields: { title: '', description: '', tileSize: '' },
    });
    expect(response.response.status).toBe(202);
    expect(response.data).toMatchObject({ title: 'empty-fields', description: null });
    expect(response.data!.tileSets[0]).toMatchObject({ tileSize: 256 });
  });
});

describe('de-duplication', () => {
  it('gives the same owner the existing panorama for the same bytes (200), without a second copy', async () => {
    const user = await api.userClient();
    const first = await upload(user.client, jpeg, { filename: 'a.jpg' });
    const second = await upload(user.client, jpeg, { filename: 'b.jpg', fields: { title: 'ignored' } });
    expect(second.response.status).toBe(200);
    expect(second.response.headers.get('location')).toBe(`/v1/panoramas/${first.data!.id}`);
    expect(second.data).toMatchObject({
      id: first.data!.id,
      title: 'a',
      tileSets: [expect.objectContaining({ tileSize: 256 })],
    });
    expect(await originalsIn(join(api.storageRoot, 'originals', user.id))).toHaveLength(1);
    expect(await rowsOf(api.db.url, user.id)).toEqual({ panoramas: 1, tileSets: 1 });
  });

  it('queues a new tile set on the existing panorama when the tiling options differ', async () => {
    const user = await api.userClient();
    const first = await upload(user.client, jpeg);
    const second = await upload(user.client, jpeg, { fields: { tileSize: 512, tileFormat: 'png', overlap: 0 } });
    expect(second.response.status).toBe(200);
    expect(second.data!.id).toBe(first.data!.id);
    // The first may be cut already (its job started as soon as it was queued).
    expect(second.data!.tileSets.map((t) => [t.tileSize, t.format, t.overlap])).toEqual([
      [256, 'jpeg', 0],
      [512, 'png', 0],
    ]);
    expect(second.data!.tileSets[1].status).toMatch(/^(queued|processing)$/);
    // The same options again add nothing.
    const third = await upload(user.client, jpeg, { fields: { tileSize: 512, tileFormat: 'png', overlap: 0 } });
    expect(third.data!.tileSets).toHaveLength(2);
  });

  it('keeps owners apart: another user uploading the same bytes gets their own panorama', async () => {
    const [a, b] = [await api.userClient(), await api.userClient()];
    const first = await upload(a.client, jpeg);
    const second = await upload(b.client, jpeg);
    expect(second.response.status).toBe(202);
    expect(second.data!.id).not.toBe(first.data!.id);
  });

  it('lets two simultaneous uploads of the same bytes end in one panorama', async () => {
    const user = await api.userClient();
    const results = await Promise.all([
      upload(user.client, jpeg),
      upload(user.client, jpeg),
      upload(user.client, jpeg),
    ]);
    expect(new Set(results.map((r) => r.data!.id)).size).toBe(1);
    expect(results.map((r) => r.response.status).sort()).toEqual([200, 200, 202]);
    expect(await originalsIn(join(api.storageRoot, 'originals', user.id))).toHaveLength(1);
  });
});

describe('ownership', () => {
  let owner: User;
  let other: User;
  let admin: TesseraClient;
  let id: string;
  beforeAll(async () => {
    owner = await api.userClient();
    other = await api.userClient();
    admin = await api.adminClient();
    id = (await upload(owner.client, await makeJpeg(640, 320))).data!.id;
  });

  it('keeps the connection open for ordinary error answers (only unread uploads close it)', async () => {
    const response = await rawFetch(api.baseUrl, `/v1/panoramas/${id}`, {
      headers: { authorization: `Bearer ${other.accessToken}` },
    });
    expect(response.status).toBe(404);
    expect(response.headers.get('connection')).not.toBe('close');
  });

  it('hides a panorama from other users exactly like a missing one', async () => {
    const missing = '7c9e6679-7425-40de-944b-e07fc1f90ae7';
    const strip = ({ requestId: _r, instance: _i, ...rest }: Record<string, unknown>) => rest;
    for (const [path, method] of [
      ['/v1/panoramas/%s', 'GET'],
      ['/v1/panoramas/%s', 'DELETE'],
      ['/v1/panoramas/%s/original', 'GET'],
    ] as const) {
      const theirs = await rawFetch(api.baseUrl, path.replace('%s', id), {
        method,
        headers: { authorization: `Bearer ${other.accessToken}` },
      });
      const absent = await rawFetch(api.baseUrl, path.replace('%s', missing), {
        method,
        headers: { authorization: `Bearer ${other.accessToken}` },
      });
      expectProblem(theirs, 404, 'PANORAMA_NOT_FOUND');
      expect(strip(theirs.body)).toEqual(strip(absent.body));
    }
    const patch = await other.client.PATCH('/v1/panoramas/{id}', {
      params: { path: { id } },
      body: { title: 'mine now' },
    });
    expectProblem(fromClient(patch), 404, 'PANORAMA_NOT_FOUND');
    expect((await other.client.GET('/v1/panoramas')).data!.items).toEqual([]);
    // Asking for someone else's list is ignored for non-admins.
    expect((await other.client.GET('/v1/panoramas', { params: { query: { ownerId: owner.id } } })).data!.items).toEqual(
      [],
    );
  });

  it("lets an admin read anyone's panorama and list it, but not change it", async () => {
    expect((await admin.GET('/v1/panoramas/{id}', { params: { path: { id } } })).data!.id).toBe(id);
    expect(
      (await admin.GET('/v1/panoramas', { params: { query: { ownerId: owner.id } } })).data!.items.map((p) => p.id),
    ).toEqual([id]);
    expect((await admin.GET('/v1/panoramas')).data!.items.map((p) => p.id)).not.toContain(id);
    expectProblem(
      fromClient(await admin.DELETE('/v1/panoramas/{id}', { params: { path: { id } } })),
      404,
      'PANORAMA_NOT_FOUND',
    );
  });

  it('refuses to delete a user who still has panoramas (no orphaned files)', async () => {
    const response = await admin.DELETE('/v1/users/{id}', { params: { path: { id: owner.id } } });
    expectProblem(fromClient(response), 409, 'USER_HAS_PANORAMAS');
  });

  it('answers 400 for malformed ids', async () => {
    for (const path of ['/v1/panoramas/not-a-uuid', '/v1/panoramas/1%20or%201=1/original', `/v1/panoramas/${id}x`]) {
      expectProblem(
        await rawFetch(api.baseUrl, path, { headers: { authorization: `Bearer ${owner.accessToken}` } }),
        400,
        'VALIDATION_FAILED',
      );
    }
  });
});
