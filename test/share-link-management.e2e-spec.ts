import pg from 'pg';
import { makeJpeg } from '#testing';
import { type ApiHarness, expectProblem, startApi } from './support/api-harness.js';
import { followEvents } from './support/tiles.js';
import { upload } from './support/uploads.js';

/**
 * Share links an owner can manage one by one (libs/sharing): list, label, revoke one while
 * the others keep working, on two API instances of one database (each with its own memory
 * of revoked links, told by the change feed), and after an instance restarts. Node's fetch,
 * parallel requests for the per-resource limit, hostile labels.
 */
let a: ApiHarness;
let b: ApiHarness;
let owner: Awaited<ReturnType<ApiHarness['userClient']>>;
let stranger: Awaited<ReturnType<ApiHarness['userClient']>>;
let tileSetId: string;
let panoramaId: string;

interface Link {
  id: string | null;
  label: string | null;
  createdAt: string;
  expiresAt: string;
  lastUsedAt: string | null;
  dziUrl: string;
}

const ENV = { THROTTLE_LIMIT: '100000' };
/** A second instance on the first one's database and storage (close with `app.close()`). */
const second = () =>
  startApi({ ...ENV, STORAGE_LOCAL_ROOT: a.storageRoot, UPLOAD_TMP_DIR: a.uploadTmpDir }, { db: a.db });

const call = async (path: string, init: { method?: string; json?: unknown; token?: string } = {}) => {
  const response = await fetch(`${a.baseUrl}${path}`, {
    method: init.method ?? 'GET',
    headers: {
      authorization: `Bearer ${init.token ?? owner.accessToken}`,
      ...(init.json === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: init.json === undefined ? undefined : JSON.stringify(init.json),
  });
  const text = await response.text();
  return { response, status: response.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : null };
};
const share = async (json: Record<string, unknown>) => {
  const made = await call(`/v1/tilesets/${tileSetId}/share`, { method: 'POST', json });
  expect(made.status).toBe(200);
  return made.body as unknown as Link;
};
const list = async () => (await call(`/v1/tilesets/${tileSetId}/shares`)).body!.items as Link[];
/** The link's descriptor asked of an instance (its own origin, the link's path). */
const open = (link: Link, on: ApiHarness) => fetch(`${on.baseUrl}${new URL(link.dziUrl).pathname}`);
/** A call's answer, as expectProblem reads it. */
const refusal = (answer: Awaited<ReturnType<typeof call>>) => ({
  status: answer.status,
  headers: answer.response.headers,
  body: answer.body!,
});
const problemOf = async (response: Response) => ({
  status: response.status,
  headers: response.headers,
  body: (await response.json()) as Record<string, unknown>,
});

beforeAll(async () => {
  a = await startApi(ENV);
  b = await second();
  owner = await a.userClient();
  stranger = await a.userClient();
  const uploaded = await upload(owner.client, await makeJpeg(600, 300), { fields: { presets: 'none' } });
  panoramaId = uploaded.data!.id;
  tileSetId = uploaded.data!.tileSets[0].id;
  expect((await followEvents(`${a.baseUrl}/v1/tilesets/${tileSetId}/events`, owner.accessToken)).at(-1)?.event).toBe(
    'ready',
  );
}, 120_000);
afterAll(async () => {
  await b?.close();
  await a?.close();
});

it('lists labelled links, revokes one on every instance while the others work, and remembers it after a restart', async () => {
  const anna = await share({ label: '  Anna, print shop  ', ttlSeconds: 3600 });
  const ben = await share({ label: 'Ben' });
  const own = await share({ listed: false });
  expect(anna).toMatchObject({ label: 'Anna, print shop', lastUsedAt: null });
  expect(anna.id).toMatch(/^[0-9a-f-]{36}$/);
  expect(own).toMatchObject({ id: null, label: null });

  // Anna's link is used (on both instances); Ben's is not yet.
  for (const on of [a, b]) expect((await open(anna, on)).status).toBe(200);
  const listed = await list();
  expect(listed.map((l) => l.label)).toEqual(['Ben', 'Anna, print shop']); // newest first, the unlisted one absent
  expect(listed[1].lastUsedAt).not.toBeNull();
  expect(listed[0].lastUsedAt).toBeNull();
  expect(listed[1].dziUrl).toBe(anna.dziUrl); // the same URL again, from the record

  // Labels: changed, cleared, refused when hostile in shape, kept verbatim otherwise.
  const path = `/v1/tilesets/${tileSetId}/shares/${ben.id}`;
  expect((await call(path, { method: 'PATCH', json: { label: 'Ben (prints)' } })).body).toMatchObject({
    label: 'Ben (prints)',
    dziUrl: ben.dziUrl,
  });
  const html = '<img src=x onerror=alert(1)> "\u202e\' ; drop table share_links; --';
  expect((await call(path, { method: 'PATCH', json: { label: html } })).body).toMatchObject({ label: html });
  for (const label of ['two\nlines', 'x'.repeat(101), 42, 'nul\u0000'])
    expectProblem(refusal(await call(path, { method: 'PATCH', json: { label } })), 400, 'VALIDATION_FAILED');
  expect((await call(path, { method: 'PATCH', json: { label: '   ' } })).body).toMatchObject({ label: null });

  // Someone else learns nothing; a link of another resource or a made-up one is not found.
  expectProblem(
    refusal(await call(path, { method: 'DELETE', token: stranger.accessToken })),
    404,
    'TILE_SET_NOT_FOUND',
  );
  expectProblem(
    refusal(await call(`/v1/tilesets/${tileSetId}/shares`, { token: stranger.accessToken })),
    404,
    'TILE_SET_NOT_FOUND',
  );
  expectProblem(
    refusal(await call(`/v1/tilesets/${tileSetId}/shares/${panoramaId}`, { method: 'DELETE' })),
    404,
    'SHARE_LINK_NOT_FOUND',
  );

  // Revoke Anna's link on instance A: refused there at once, and on B as soon as B hears of it.
  expect((await call(`/v1/tilesets/${tileSetId}/shares/${anna.id}`, { method: 'DELETE' })).status).toBe(204);
  expectProblem(await problemOf(await open(anna, a)), 403, 'SHARE_LINK_REVOKED');
  for (let answer = await open(anna, b); answer.status === 200; answer = await open(anna, b))
    await answer.body?.cancel();
  expectProblem(await problemOf(await open(anna, b)), 403, 'SHARE_LINK_REVOKED');
  for (const on of [a, b]) {
    expect((await open(ben, on)).status).toBe(200);
    expect((await open(own, on)).status).toBe(200);
  }
  expect((await list()).map((l) => l.id)).toEqual([ben.id]);
  expectProblem(
    refusal(await call(`/v1/tilesets/${tileSetId}/shares/${anna.id}`, { method: 'DELETE' })),
    404,
    'SHARE_LINK_NOT_FOUND',
  );

  // A restarted instance knows the revocation from the database, not from what it heard.
  await b.close();
  b = await second();
  expectProblem(await problemOf(await open(anna, b)), 403, 'SHARE_LINK_REVOKED');
  expect((await open(ben, b)).status).toBe(200);

  // Revoking every link ends the listed and the unlisted ones, everywhere.
  expect((await call(`/v1/tilesets/${tileSetId}/share`, { method: 'DELETE' })).status).toBe(204);
  for (const on of [a, b])
    for (const link of [ben, own]) {
      for (let answer = await open(link, on); answer.status === 200; answer = await open(link, on))
        await answer.body?.cancel();
      expectProblem(await problemOf(await open(link, on)), 403, 'SHARE_LINK_REVOKED');
    }
  expect(await list()).toEqual([]);
}, 120_000);

it('holds the limit of active links per resource under requests released at once', async () => {
  const active = (await list()).length;
  const attempts = 110 - active;
  const answers = await Promise.all(
    Array.from({ length: attempts }, () => call(`/v1/tilesets/${tileSetId}/share`, { method: 'POST', json: {} })),
  );
  const made = answers.filter((r) => r.status === 200).length;
  expect(made).toBe(100 - active);
  const refused = answers.filter((r) => r.status !== 200);
  expect(refused.length).toBe(attempts - made);
  for (const r of refused) expect([r.status, r.body?.code]).toEqual([422, 'SHARE_LINK_LIMIT_REACHED']);
  expect((await list()).length).toBe(100);
  // Unlisted links are not counted.
  expect((await call(`/v1/tilesets/${tileSetId}/share`, { method: 'POST', json: { listed: false } })).status).toBe(200);
}, 120_000);

it("manages a rendition's links the same way, and deleting the resource leaves no link behind", async () => {
  const made = await call(`/v1/panoramas/${panoramaId}/renditions`, {
    method: 'POST',
    json: { width: 100, format: 'webp' },
  });
  expect(made.status).toBe(202);
  const renditionId = (made.body as { id: string }).id;
  const events = await followEvents(`${a.baseUrl}/v1/renditions/${renditionId}/events`, owner.accessToken);
  expect(events.at(-1)?.event).toBe('ready');
  const links: { id: string; fileUrl: string }[] = [];
  for (const label of ['one', 'two']) {
    const answer = await call(`/v1/renditions/${renditionId}/share`, { method: 'POST', json: { label } });
    links.push(answer.body as unknown as { id: string; fileUrl: string });
  }
  const file = (link: { fileUrl: string }) => fetch(link.fileUrl);
  expect((await call(`/v1/renditions/${renditionId}/shares/${links[0].id}`, { method: 'DELETE' })).status).toBe(204);
  expectProblem(await problemOf(await file(links[0])), 403, 'SHARE_LINK_REVOKED');
  const kept = await file(links[1]);
  expect([kept.status, kept.headers.get('content-type')]).toEqual([200, 'image/webp']);
  expect(
    ((await call(`/v1/renditions/${renditionId}/shares`)).body!.items as { label: string }[]).map((l) => l.label),
  ).toEqual(['two']);

  const client = new pg.Client({ connectionString: a.db.url });
  await client.connect();
  try {
    const count = async () => Number((await client.query('select count(*) from share_links')).rows[0].count);
    expect(await count()).toBeGreaterThan(100);
    expect((await call(`/v1/panoramas/${panoramaId}`, { method: 'DELETE' })).status).toBe(204);
    expect(await count()).toBe(0);
  } finally {
    await client.end();
  }
}, 120_000);
