import sharp from 'sharp';
import pg from 'pg';
import { makeJpeg, makePngWithAlpha, makeSidewaysJpeg } from '#testing';
import { DEFAULT_RENDITION_PRESETS } from '#config';
import { type ApiHarness, expectProblem, fromClient, rawFetch, startApi } from './support/api-harness.js';
import { followEvents } from './support/tiles.js';
import { filesIn, upload } from './support/uploads.js';

/**
 * Renditions through the generated client against the real API, worker, PostgreSQL,
 * filesystem and sharp: presets made on upload, renditions asked for, their files, limits,
 * quotas, deletion.
 */
let api: ApiHarness;
beforeAll(async () => {
  api = await startApi({ RENDITIONS_PER_PANORAMA: '16', RENDITION_PRESETS: DEFAULT_RENDITION_PRESETS });
});
afterAll(() => api?.close());

type User = Awaited<ReturnType<ApiHarness['userClient']>>;
type Rendition = { id: string; status: string; width: number; height: number; format: string; name: string | null };

const MAGIC: Record<string, (b: Buffer) => boolean> = {
  jpeg: (b) => b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff,
  png: (b) => b.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])),
  webp: (b) => b.subarray(0, 4).toString('latin1') === 'RIFF' && b.subarray(8, 12).toString('latin1') === 'WEBP',
  avif: (b) => b.subarray(4, 12).toString('latin1') === 'ftypavif',
};

async function fileOf(user: User, renditionId: string, headers: Record<string, string> = {}) {
  const response = await fetch(`${api.baseUrl}/v1/renditions/${renditionId}/file`, {
    headers: { authorization: `Bearer ${user.accessToken}`, ...headers },
  });
  return { response, body: Buffer.from(await response.arrayBuffer()) };
}

/** Follows a rendition's events to its end; returns the final rendition. */
async function finished(user: User, renditionId: string): Promise<Rendition & { errorCode: string | null }> {
  const events = await followEvents(`${api.baseUrl}/v1/renditions/${renditionId}/events`, user.accessToken);
  const last = events.at(-1)!;
  expect(['ready', 'failed']).toContain(last.event);
  return last.data as never;
}

async function ask(user: User, panoramaId: string, body: Record<string, unknown>) {
  // Any body, also one the typed client would refuse to build.
  return user.client.POST('/v1/panoramas/{id}/renditions', {
    params: { path: { id: panoramaId } },
    body: body as never,
  });
}

describe('presets: made for every upload', () => {
  let user: User;
  let panorama: { id: string; renditions: Rendition[] };

  beforeAll(async () => {
    user = await api.userClient();
    const uploaded = await upload(user.client, await makeJpeg(3001, 1500), { filename: 'alps.jpg' });
    expect(uploaded.response.status).toBe(202);
    panorama = uploaded.data!;
  });

  it('are queued with the upload and become ready: a 320 px WebP and a 2048 px JPEG', async () => {
    // Queued with the upload; a worker woken by the new job may already have started one.
    const waiting = expect.stringMatching(/^(queued|processing)$/);
    expect(panorama.renditions).toMatchObject([
      { name: 'thumb', status: waiting },
      { name: 'preview', status: waiting },
    ]);
    const thumb = await finished(user, panorama.renditions[0].id);
    const preview = await finished(user, panorama.renditions[1].id);
    expect(thumb).toMatchObject({ status: 'ready', width: 320, height: 160, format: 'webp', errorCode: null });
    expect(preview).toMatchObject({ status: 'ready', width: 2048, height: 1024, format: 'jpeg' });

    const { data } = await user.client.GET('/v1/panoramas/{id}', { params: { path: { id: panorama.id } } });
    expect(data!.renditions.map((r) => [r.name, r.status, r.links.file])).toEqual([
      ['thumb', 'ready', `/v1/renditions/${thumb.id}/file`],
      ['preview', 'ready', `/v1/renditions/${preview.id}/file`],
    ]);
    for (const rendition of data!.renditions) {
      const { response, body } = await fileOf(user, rendition.id);
      expect(response.status).toBe(200);
      expect(MAGIC[rendition.format](body)).toBe(true);
      const metadata = await sharp(body).metadata();
      expect([metadata.width, metadata.height]).toEqual([rendition.width, rendition.height]);
      expect(metadata.exif).toBeUndefined();
      expect(body.length).toBe(rendition.bytes);
    }
  });

  it('are listed with the panoramas, and picked by the upload field presets (a subset, or none)', async () => {
    const list = await user.client.GET('/v1/panoramas');
    expect(list.data!.items.find((p) => p.id === panorama.id)!.renditions).toHaveLength(2);

    const none = await upload(user.client, await makeJpeg(800, 400), { fields: { presets: 'none' } });
    expect(none.response.status).toBe(202);
    expect(none.data!.renditions).toEqual([]);
    const one = await upload(user.client, await makeJpeg(801, 400), { fields: { presets: 'preview' } });
    expect(one.data!.renditions.map((r) => r.name)).toEqual(['preview']);
    // Asked again with the same bytes: the same renditions, plus any preset not made yet.
    const again = await upload(user.client, await makeJpeg(801, 400));
    expect(again.response.status).toBe(200);
    expect(again.data!.renditions.map((r) => r.name)).toEqual(['preview', 'thumb']);
    expect(again.data!.renditions[0].id).toBe(one.data!.renditions[0].id);
  });

  it('refuses an unknown preset with a problem, storing nothing', async () => {
    const stranger = await api.userClient();
    const refused = await upload(stranger.client, await makeJpeg(300, 200), { fields: { presets: 'thumb,poster' } });
    const problem = expectProblem(fromClient(refused), 400, 'UNKNOWN_PRESET');
    expect(problem.detail).toContain('poster');
    expect((await stranger.client.GET('/v1/panoramas')).data!.items).toEqual([]);
    expect(await filesIn(`${api.storageRoot}/originals/${stranger.id}`)).toEqual([]);
  });
});

describe('renditions asked for', () => {
  let user: User;
  let panoramaId: string;

  beforeAll(async () => {
    user = await api.userClient();
    const uploaded = await upload(user.client, await makePngWithAlpha(1001, 333), {
      filename: 'strip.png',
      fields: { presets: 'none' },
    });
    panoramaId = uploaded.data!.id;
  });

  it('202 queued with Location; the same picture asked again (even in other words) is 200 with the same one', async () => {
    const first = await ask(user, panoramaId, { width: 500, format: 'webp' });
    expect(first.response.status).toBe(202);
    expect(first.response.headers.get('location')).toBe(`/v1/renditions/${first.data!.id}`);
    expect(first.data).toMatchObject({ status: 'queued', width: 500, height: 166, fit: 'inside', format: 'webp' });
    const same = await ask(user, panoramaId, { width: 500, format: 'webp' });
    const sameInOtherWords = await ask(user, panoramaId, {
      width: 500,
      height: 400,
      fit: 'inside',
      format: 'webp',
      quality: 80,
    });
    for (const repeat of [same, sameInOtherWords]) {
      expect(repeat.response.status).toBe(200);
      expect(repeat.data!.id).toBe(first.data!.id);
    }
    expect((await finished(user, first.data!.id)).status).toBe('ready');
  });

  it.each([1, 7, 320, 999, 1001])('keeps the aspect ratio exactly at width %i of a 1001x333 image', async (width) => {
    const created = await ask(user, panoramaId, { width, format: 'png' });
    const ready = await finished(user, created.data!.id);
    const expectedHeight = Math.max(1, Math.round((333 * width) / 1001));
    expect([ready.width, ready.height]).toEqual([width, expectedHeight]);
    const metadata = await sharp((await fileOf(user, ready.id)).body).metadata();
    expect([metadata.width, metadata.height]).toEqual([width, expectedHeight]);
  });

  it.each(['jpeg', 'png', 'webp', 'avif'])('writes %s, as its magic bytes say', async (format) => {
    const created = await ask(user, panoramaId, { height: 100, format });
    const ready = await finished(user, created.data!.id);
    expect(ready).toMatchObject({ status: 'ready', format });
    const { response, body } = await fileOf(user, ready.id);
    expect(response.headers.get('content-type')).toBe(`image/${format}`);
    expect(MAGIC[format](body)).toBe(true);
  });

  it('serves the file with a strong ETag, immutable caching, 304, ranges and a name after the original', async () => {
    const created = await ask(user, panoramaId, { width: 640, format: 'jpeg', quality: 70 });
    const ready = await finished(user, created.data!.id);
    const { response, body } = await fileOf(user, ready.id);
    const etag = response.headers.get('etag')!;
    expect(etag).toMatch(/^"[0-9a-f]{64}"$/);
    expect(response.headers.get('cache-control')).toBe('private, max-age=31536000, immutable');
    expect(response.headers.get('content-disposition')).toContain('filename="strip-640x213.jpg"');
    expect((await fileOf(user, ready.id, { 'if-none-match': etag })).response.status).toBe(304);
    const range = await fileOf(user, ready.id, { range: 'bytes=10-19' });
    expect(range.response.status).toBe(206);
    expect(range.body.equals(body.subarray(10, 20))).toBe(true);
  });

  it('refuses specs that make no picture, and one not ready yet is a 409 for its file', async () => {
    expectProblem(fromClient(await ask(user, panoramaId, {})), 400, 'INVALID_RENDITION_SPEC');
    expectProblem(fromClient(await ask(user, panoramaId, { height: 16_385 })), 400, 'VALIDATION_FAILED');
    expectProblem(
      fromClient(await ask(user, panoramaId, { width: 10, format: 'webp', effort: 9 })),
      400,
      'INVALID_RENDITION_SPEC',
    );
    expectProblem(fromClient(await ask(user, panoramaId, { width: 0 })), 400, 'VALIDATION_FAILED');
    expectProblem(fromClient(await ask(user, panoramaId, { width: 10, format: 'gif' })), 400, 'VALIDATION_FAILED');
    expectProblem(fromClient(await ask(user, panoramaId, { width: 10, ownerId: user.id })), 400, 'VALIDATION_FAILED');

    const slow = await ask(user, panoramaId, { width: 1000, format: 'avif', effort: 9 });
    const early = await rawFetch(api.baseUrl, `/v1/renditions/${slow.data!.id}/file`, {
      headers: { authorization: `Bearer ${user.accessToken}` },
    });
    if (early.status !== 200) expectProblem(early, 409, 'RENDITION_NOT_READY');
    await finished(user, slow.data!.id);
  });

  it("hides others' renditions: 404 everywhere, identical to a missing id", async () => {
    const created = await ask(user, panoramaId, { width: 64 });
    const other = await api.userClient();
    const id = created.data!.id;
    const missing = '00000000-0000-4000-8000-000000000000';
    for (const target of [id, missing]) {
      const path = { params: { path: { id: target } } };
      expectProblem(fromClient(await other.client.GET('/v1/renditions/{id}', path)), 404, 'RENDITION_NOT_FOUND');
      expectProblem(fromClient(await other.client.DELETE('/v1/renditions/{id}', path)), 404, 'RENDITION_NOT_FOUND');
      for (const suffix of ['file', 'events']) {
        const response = await rawFetch(api.baseUrl, `/v1/renditions/${target}/${suffix}`, {
          headers: { authorization: `Bearer ${other.accessToken}` },
        });
        expectProblem(response, 404, 'RENDITION_NOT_FOUND');
      }
    }
    expectProblem(fromClient(await ask(other, panoramaId, { width: 10 })), 404, 'PANORAMA_NOT_FOUND');
    const list = await other.client.GET('/v1/panoramas/{id}/renditions', { params: { path: { id: panoramaId } } });
    expectProblem(fromClient(list), 404, 'PANORAMA_NOT_FOUND');
    await finished(user, id);
  });

  it('deletes one: its file goes, then its row', async () => {
    const created = await ask(user, panoramaId, { width: 77, format: 'png' });
    const ready = await finished(user, created.data!.id);
    const before = await filesIn(api.storageRoot);
    expect(before.some((f) => f.endsWith(`${ready.id}.png`))).toBe(true);
    const deleted = await user.client.DELETE('/v1/renditions/{id}', { params: { path: { id: ready.id } } });
    expect(deleted.response.status).toBe(204);
    expect((await filesIn(api.storageRoot)).some((f) => f.includes(ready.id))).toBe(false);
    expectProblem(
      fromClient(await user.client.GET('/v1/renditions/{id}', { params: { path: { id: ready.id } } })),
      404,
      'RENDITION_NOT_FOUND',
    );
  });
});

describe('orientation and metadata', () => {
  it('turns an EXIF-rotated JPEG upright in renditions and tiles, and keeps no EXIF or GPS in either', async () => {
    const user = await api.userClient();
    const sideways = await makeSidewaysJpeg(900, 300);
    const uploaded = await upload(user.client, sideways, { filename: 'phone.jpg', fields: { presets: 'none' } });
    // As displayed: 300 wide, 900 high.
    expect(uploaded.data).toMatchObject({ width: 300, height: 900 });
    const created = await ask(user, uploaded.data!.id, { width: 100, format: 'png' });
    const ready = await finished(user, created.data!.id);
    expect([ready.width, ready.height]).toEqual([100, 300]);
    const { body } = await fileOf(user, ready.id);
    const { data, info } = await sharp(body).removeAlpha().raw().toBuffer({ resolveWithObject: true });
    expect([info.width, info.height]).toEqual([100, 300]);
    const pixel = (x: number, y: number) => [...data.subarray((y * 100 + x) * 3, (y * 100 + x) * 3 + 3)];
    // The blue marker of the stored top-left corner is at the top right once upright.
    expect(pixel(97, 2)[2]).toBeGreaterThan(200);
    expect(pixel(97, 2)[0]).toBeLessThan(50);
    expect(pixel(2, 2)[0]).toBeGreaterThan(200);
    expect(pixel(2, 2)[2]).toBeLessThan(50);
    expect(body.includes(Buffer.from('Tessera Test Camera'))).toBe(false);

    const tileSetId = uploaded.data!.tileSets[0].id;
    const events = await followEvents(`${api.baseUrl}/v1/tilesets/${tileSetId}/events`, user.accessToken);
    expect(events.at(-1)!.event).toBe('ready');
    const descriptor = await fetch(`${api.baseUrl}/v1/tilesets/${tileSetId}/image.dzi`, {
      headers: { authorization: `Bearer ${user.accessToken}` },
    });
    expect(await descriptor.text()).toContain('Width="300" Height="900"');
    const tile = await fetch(`${api.baseUrl}/v1/tilesets/${tileSetId}/image_files/10/0_0.jpeg`, {
      headers: { authorization: `Bearer ${user.accessToken}` },
    });
    const tileBytes = Buffer.from(await tile.arrayBuffer());
    const tileMeta = await sharp(tileBytes).metadata();
    expect(tileMeta.exif).toBeUndefined();
    expect(tileMeta.orientation).toBeUndefined();
    expect(tileBytes.includes(Buffer.from('Tessera Test Camera'))).toBe(false);
  });
});

describe('limits, quotas and deletion', () => {
  it('counts renditions per panorama under a lock: parallel asks past the limit get 422', async () => {
    const user = await api.userClient();
    const uploaded = await upload(user.client, await makeJpeg(1200, 600), { fields: { presets: 'thumb,preview' } });
    const id = uploaded.data!.id;
    // The limit is 16 and the two presets hold two: thirty distinct asks released at once.
    const results = await Promise.all(Array.from({ length: 30 }, (_, i) => ask(user, id, { width: 100 + i })));
    const statuses = results.map((r) => r.response.status);
    expect(statuses.filter((s) => s === 202)).toHaveLength(14);
    for (const refused of results.filter((r) => r.response.status !== 202)) {
      expectProblem(fromClient(refused), 422, 'RENDITION_LIMIT_REACHED');
    }
    const list = await user.client.GET('/v1/panoramas/{id}/renditions', { params: { path: { id } } });
    expect(list.data).toHaveLength(16);
  });

  it('counts ready renditions against the byte quota, also when they race; asking again after a failure retries', async () => {
    const admin = await api.adminClient();
    const user = await api.userClient();
    const original = await makeJpeg(2000, 1000);
    const uploaded = await upload(user.client, original, { fields: { presets: 'none' } });
    const id = uploaded.data!.id;
    // Room for the original and about two 600 px PNGs of this picture.
    const probe = await finished(user, (await ask(user, id, { width: 600, format: 'png' })).data!.id);
    const pngBytes = (probe as unknown as { bytes: number }).bytes;
    await admin.PATCH('/v1/users/{id}', {
      params: { path: { id: user.id } },
      body: { quotaBytes: original.length + Math.floor(2.5 * pngBytes) },
    });
    const asked = await Promise.all([601, 602, 603, 604, 605].map((width) => ask(user, id, { width, format: 'png' })));
    expect(asked.every((r) => r.response.status === 202)).toBe(true);
    const outcomes = await Promise.all(asked.map((r) => finished(user, r.data!.id)));
    const failed = outcomes.filter((r) => r.status === 'failed');
    expect(failed.length).toBeGreaterThanOrEqual(3);
    for (const f of failed) expect(f.errorCode).toBe('QUOTA_EXCEEDED');

    const me = (await user.client.GET('/v1/users/me')).data!;
    expect(me.quota.maxBytes).toBe(original.length + Math.floor(2.5 * pngBytes));
    expect(me.usage.bytes).toBeLessThanOrEqual(me.quota.maxBytes);
    expect(me.usage.originalBytes).toBe(original.length);
    const readyBytes = (await user.client.GET('/v1/panoramas/{id}/renditions', { params: { path: { id } } }))
      .data!.filter((r) => r.status === 'ready')
      .reduce((sum, r) => sum + r.bytes!, 0);
    expect(me.usage.renditionBytes).toBe(readyBytes);
    expect(me.usage.bytes).toBe(original.length + readyBytes);
    // Nothing of the failed ones is stored.
    const stored = await filesIn(api.storageRoot);
    for (const f of failed) expect(stored.some((path) => path.includes(f.id))).toBe(false);

    // More room, then the same ask again: made again (202), and ready.
    await admin.PATCH('/v1/users/{id}', { params: { path: { id: user.id } }, body: { quotaBytes: null } });
    const again = await ask(user, id, { width: failed[0].width, format: 'png' });
    expect(again.response.status).toBe(202);
    expect(again.data!.id).toBe(failed[0].id);
    const remade = await finished(user, failed[0].id);
    expect(remade.status).toBe('ready');
    // The admin sees the same usage per user.
    const users = (await admin.GET('/v1/users', { params: { query: { limit: 100 } } })).data!.items;
    const listed = users.find((u) => u.id === user.id)!;
    expect(listed.quota.maxBytes).toBe(api.config.QUOTA_BYTES_PER_USER);
    expect(listed.usage.renditionBytes).toBe(readyBytes + (remade as unknown as { bytes: number }).bytes);
  });

  it('deleting a panorama removes its renditions: no object and no row left', async () => {
    const user = await api.userClient();
    const uploaded = await upload(user.client, await makeJpeg(1600, 800));
    const id = uploaded.data!.id;
    for (const r of uploaded.data!.renditions) await finished(user, r.id);
    await finished(user, (await ask(user, id, { width: 300, format: 'avif' })).data!.id);
    expect(
      (await filesIn(`${api.storageRoot}/originals/${user.id}`)).filter((f) => f.includes('renditions/')),
    ).toHaveLength(3);

    expect((await user.client.DELETE('/v1/panoramas/{id}', { params: { path: { id } } })).response.status).toBe(204);
    expect(await filesIn(`${api.storageRoot}/originals/${user.id}`)).toEqual([]);
    const db = new pg.Client({ connectionString: api.db.url });
    await db.connect();
    try {
      const rows = await db.query('select count(*)::int as n from renditions where panorama_id = $1', [id]);
      expect(rows.rows[0].n).toBe(0);
    } finally {
      await db.end();
    }
    const me = (await user.client.GET('/v1/users/me')).data!;
    expect(me.usage).toEqual({ panoramas: 0, bytes: 0, originalBytes: 0, renditionBytes: 0, tileBytes: 0 });
  });
});
