import http from 'node:http';
import { FOREIGN_FILES, makeJpeg, makeWebp } from '#testing';
import { type ApiHarness, expectProblem, fromClient, rawFetch, startApi } from './support/api-harness.js';
import { followEvents, unzip } from './support/tiles.js';
import { multipartBody, rawRequest, rowsOf, sha256, tempFilesIn } from './support/uploads.js';

/** Many at once: a batch upload answered per file, and many panoramas downloaded as one zip. */
let api: ApiHarness;
beforeAll(async () => {
  api = await startApi({ BATCH_MAX_FILES: '4', RENDITION_PRESETS: 'thumb:200:webp,preview:600:jpeg' });
});
afterAll(() => api?.close());

type User = Awaited<ReturnType<ApiHarness['userClient']>>;
type Item = { filename: string | null; status: number; panorama?: { id: string; title: string }; problem?: unknown };

/** POST /v1/panoramas/batch as a browser sends it (Node's fetch, FormData: parts in append order). */
async function batch(user: User, fields: Record<string, string>, files: { name: string; data: Buffer }[]) {
  const form = new FormData();
  for (const [name, value] of Object.entries(fields)) form.append(name, value);
  for (const file of files) form.append('files', new Blob([new Uint8Array(file.data)]), file.name);
  return rawFetch(api.baseUrl, '/v1/panoramas/batch', {
    method: 'POST',
    headers: { authorization: `Bearer ${user.accessToken}` },
    body: form,
  });
}

describe('POST /v1/panoramas/batch', () => {
  it('answers 207 with one outcome per file, in order: one bad file does not spoil the others', async () => {
    const user = await api.userClient();
    const a = await makeJpeg(900, 450);
    const b = await makeWebp(700, 350);
    const response = await batch(user, { description: 'Summer trip', presets: 'thumb' }, [
      { name: 'a.jpg', data: a },
      { name: 'b.webp', data: b },
      { name: 'notes.jpg', data: FOREIGN_FILES.pdf },
      { name: 'a-again.jpg', data: a },
    ]);
    expect(response.status).toBe(207);
    const items = (response.body as { items: Item[] }).items;
    expect(items.map((i) => [i.filename, i.status])).toEqual([
      ['a.jpg', 202],
      ['b.webp', 202],
      ['notes.jpg', 415],
      ['a-again.jpg', 200],
    ]);
    expect(items[0].panorama).toMatchObject({
      title: 'a',
      description: 'Summer trip',
      renditions: [{ name: 'thumb' }],
    });
    expect(items[3].panorama!.id).toBe(items[0].panorama!.id);
    expect(items[2].problem).toMatchObject({
      status: 415,
      code: 'UNSUPPORTED_MEDIA_TYPE',
      instance: '/v1/panoramas/batch',
    });
    expect(await rowsOf(api.db.url, user.id)).toEqual({ panoramas: 2, tileSets: 2 });
    expect(await tempFilesIn(api.uploadTmpDir)).toEqual([]);
  });

  it('refuses files past BATCH_MAX_FILES one by one, after storing those within it', async () => {
    const user = await api.userClient();
    const files = await Promise.all(
      [1, 2, 3, 4, 5].map(async (i) => ({ name: `${i}.jpg`, data: await makeJpeg(200 + i, 100) })),
    );
    const response = await batch(user, { presets: 'none' }, files);
    const items = (response.body as { items: Item[] }).items;
    expect(items.map((i) => i.status)).toEqual([202, 202, 202, 202, 400]);
    expect(items[4].problem).toMatchObject({ code: 'TOO_MANY_FILES' });
    expect((await rowsOf(api.db.url, user.id)).panoramas).toBe(4);
  });

  it('refuses the whole request when the fields before the files are invalid: nothing stored', async () => {
    const user = await api.userClient();
    const jpeg = await makeJpeg(300, 150);
    expectProblem(await batch(user, { presets: 'poster' }, [{ name: 'x.jpg', data: jpeg }]), 400, 'UNKNOWN_PRESET');
    expectProblem(await batch(user, { tileSize: '5' }, [{ name: 'x.jpg', data: jpeg }]), 400, 'VALIDATION_FAILED');
    expectProblem(
      await batch(user, { title: 'One title for all' }, [{ name: 'x.jpg', data: jpeg }]),
      400,
      'VALIDATION_FAILED',
    );
    expectProblem(await batch(user, { presets: 'none' }, []), 400, 'MISSING_FILE');
    expect(await rowsOf(api.db.url, user.id)).toEqual({ panoramas: 0, tileSets: 0 });
    expect(await tempFilesIn(api.uploadTmpDir)).toEqual([]);
  });

  it('ends the batch at a field sent after a file: what came before stands, a last item says why', async () => {
    const user = await api.userClient();
    const { body, contentType } = multipartBody([
      { name: 'presets', value: 'none' },
      { name: 'files', filename: 'first.jpg', data: await makeJpeg(320, 160) },
      { name: 'description', value: 'too late' },
      { name: 'files', filename: 'second.jpg', data: await makeJpeg(321, 160) },
    ]);
    const response = await rawRequest(api.baseUrl, '/v1/panoramas/batch', {
      headers: { authorization: `Bearer ${user.accessToken}`, 'content-type': contentType },
      body,
    });
    expect(response.status).toBe(207);
    const items = (response.body as { items: Item[] }).items;
    expect(items.map((i) => [i.filename, i.status])).toEqual([
      ['first.jpg', 202],
      [null, 400],
    ]);
    expect(items[1].problem).toMatchObject({ code: 'FIELD_AFTER_FILES' });
    expect((await rowsOf(api.db.url, user.id)).panoramas).toBe(1);
  });

  it('keeps what arrived whole when the client goes away mid-batch, and leaves no temp file', async () => {
    const user = await api.userClient();
    const { body, contentType } = multipartBody([
      { name: 'presets', value: 'none' },
      { name: 'files', filename: 'whole.jpg', data: await makeJpeg(500, 250) },
      { name: 'files', filename: 'cut.jpg', data: await makeJpeg(2000, 1000) },
    ]);
    await new Promise<void>((resolve) => {
      const request = http.request(`${api.baseUrl}/v1/panoramas/batch`, {
        method: 'POST',
        headers: { authorization: `Bearer ${user.accessToken}`, 'content-type': contentType },
      });
      request.on('error', () => resolve());
      request.on('close', () => resolve());
      // Everything but the last 100 KB, then hang up.
      request.write(body.subarray(0, body.length - 100_000), () => setTimeout(() => request.destroy(), 300));
    });
    while ((await rowsOf(api.db.url, user.id)).panoramas === 0) await new Promise((r) => setTimeout(r, 100));
    await new Promise((r) => setTimeout(r, 300));
    expect((await rowsOf(api.db.url, user.id)).panoramas).toBe(1);
    expect(await tempFilesIn(api.uploadTmpDir)).toEqual([]);
  });

  it('refuses a part not named files, and counts each outcome against the quota in turn', async () => {
    const admin = await api.adminClient();
    const user = await api.userClient();
    const first = await makeJpeg(400, 200);
    await admin.PATCH('/v1/users/{id}', { params: { path: { id: user.id } }, body: { quotaPanoramas: 1 } });
    const { body, contentType } = multipartBody([
      { name: 'presets', value: 'none' },
      { name: 'files', filename: 'one.jpg', data: first },
      { name: 'file', filename: 'wrong-name.jpg', data: first },
      { name: 'files', filename: 'two.jpg', data: await makeJpeg(401, 200) },
    ]);
    const response = await rawRequest(api.baseUrl, '/v1/panoramas/batch', {
      headers: { authorization: `Bearer ${user.accessToken}`, 'content-type': contentType },
      body,
    });
    const items = (response.body as { items: Item[] }).items;
    expect(items.map((i) => [i.filename, i.status])).toEqual([
      ['one.jpg', 202],
      ['wrong-name.jpg', 400],
      ['two.jpg', 422],
    ]);
    expect(items[1].problem).toMatchObject({ code: 'UNEXPECTED_FILE' });
    expect(items[2].problem).toMatchObject({ code: 'QUOTA_EXCEEDED' });
  });
});

describe('POST /v1/panoramas/archive', () => {
  let user: User;
  const originals: Buffer[] = [];
  const ids: string[] = [];

  beforeAll(async () => {
    user = await api.userClient();
    originals.push(await makeJpeg(1000, 500), await makeJpeg(1001, 500), await makeJpeg(1002, 500));
    // Two files of the same name, and one whose preview is never made.
    const response = await batch(user, { presets: 'thumb,preview' }, [
      { name: 'alps.jpg', data: originals[0] },
      { name: 'alps.jpg', data: originals[1] },
    ]);
    for (const item of (response.body as { items: Item[] }).items) ids.push(item.panorama!.id);
    const third = await batch(user, { presets: 'thumb' }, [{ name: 'Fjord.jpg', data: originals[2] }]);
    ids.push((third.body as { items: Item[] }).items[0].panorama!.id);
    for (const id of ids) {
      const { data } = await user.client.GET('/v1/panoramas/{id}', { params: { path: { id } } });
      for (const r of data!.renditions)
        await followEvents(`${api.baseUrl}/v1/renditions/${r.id}/events`, user.accessToken);
    }
  });

  it('streams one zip: a folder per panorama with its original and preset files, and an index of what is missing', async () => {
    const response = await fetch(`${api.baseUrl}/v1/panoramas/archive`, {
      method: 'POST',
      headers: { authorization: `Bearer ${user.accessToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ ids: [...ids, ids[0]], include: ['originals', 'preview'] }),
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/zip');
    expect(response.headers.get('content-disposition')).toMatch(
      /attachment; filename="panoramas-\d{4}-\d{2}-\d{2}\.zip"/,
    );
    const entries = await unzip(Buffer.from(await response.arrayBuffer()));
    expect([...entries.keys()]).toEqual([
      'index.json',
      'alps/alps.jpg',
      'alps/alps-preview.jpg',
      'alps (2)/alps.jpg',
      'alps (2)/alps-preview.jpg',
      'Fjord/Fjord.jpg',
    ]);
    expect(entries.get('alps/alps.jpg')!.equals(originals[0])).toBe(true);
    expect(entries.get('alps (2)/alps.jpg')!.equals(originals[1])).toBe(true);
    expect(entries.get('Fjord/Fjord.jpg')!.equals(originals[2])).toBe(true);
    const { data } = await user.client.GET('/v1/panoramas/{id}', { params: { path: { id: ids[0] } } });
    const preview = data!.renditions.find((r) => r.name === 'preview')!;
    expect(await sha256(entries.get('alps/alps-preview.jpg')!)).toBe(preview.sha256);
    const index = JSON.parse(entries.get('index.json')!.toString());
    expect(index.panoramas.map((p: { folder: string; missing: unknown[] }) => [p.folder, p.missing])).toEqual([
      ['alps', []],
      ['alps (2)', []],
      ['Fjord', [{ include: 'preview', reason: 'not requested' }]],
    ]);
  });

  it("refuses others' panoramas and unknown includes before sending anything", async () => {
    const other = await api.userClient();
    const asOther = await other.client.POST('/v1/panoramas/archive', { body: { ids }, parseAs: 'stream' });
    expectProblem(fromClient(asOther), 404, 'PANORAMA_NOT_FOUND');
    const unknown = await user.client.POST('/v1/panoramas/archive', {
      body: { ids, include: ['originals', 'poster'] },
      parseAs: 'stream',
    });
    expectProblem(fromClient(unknown), 400, 'UNKNOWN_PRESET');
    const empty = await user.client.POST('/v1/panoramas/archive', { body: { ids: [] }, parseAs: 'stream' });
    expectProblem(fromClient(empty), 400, 'VALIDATION_FAILED');
    const notIds = await user.client.POST('/v1/panoramas/archive', { body: { ids: ['../etc'] }, parseAs: 'stream' });
    expectProblem(fromClient(notIds), 400, 'VALIDATION_FAILED');
  });
});
