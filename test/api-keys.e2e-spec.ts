import pg from 'pg';
import * as tus from 'tus-js-client';
import { createTesseraClient } from '#client';
import { makeJpeg } from '#testing';
import {
  ADMIN_EMAIL,
  ADMIN_PASSWORD,
  type ApiHarness,
  expectProblem,
  fromClient,
  rawFetch,
  startApi,
} from './support/api-harness.js';
import { followEvents } from './support/tiles.js';
import { upload } from './support/uploads.js';

/**
 * API keys as an integrating team uses them: made by a signed-in person, then used by a
 * program through the generated client, raw fetch (Bearer and X-API-Key), tus-js-client and
 * the event stream. Each scope allowed and refused, expired and revoked keys, a non-admin's
 * key on an admin route, many requests with one key at once, and the end of a deleted user.
 */
let api: ApiHarness;
let owner: Awaited<ReturnType<ApiHarness['userClient']>>;

interface CreatedKey {
  id: string;
  secret: string;
  hint: string;
  scopes: string[];
  expiresAt: string | null;
  lastUsedAt: string | null;
  expired: boolean;
}

/** A key made by `token`'s person (201 expected). */
const makeKey = async (token: string, body: Record<string, unknown>): Promise<CreatedKey> => {
  const answer = await rawFetch(api.baseUrl, '/v1/api-keys', {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  expect(answer.status).toBe(201);
  return answer.body as unknown as CreatedKey;
};
const withKey = (path: string, secret: string, init: RequestInit = {}, header: 'bearer' | 'x-api-key' = 'x-api-key') =>
  rawFetch(api.baseUrl, path, {
    ...init,
    headers: {
      ...(init.headers as Record<string, string>),
      ...(header === 'bearer' ? { authorization: `Bearer ${secret}` } : { 'x-api-key': secret }),
    },
  });

beforeAll(async () => {
  api = await startApi({ THROTTLE_LIMIT: '100000' });
  owner = await api.userClient();
}, 60_000);
afterAll(() => api?.close());

describe('API keys', () => {
  it('are made by a signed-in person, shown once, listed without their secret, and work as Bearer or X-API-Key', async () => {
    const key = await makeKey(owner.accessToken, { name: 'Nightly import', scopes: ['write', 'read'] });
    expect(key.secret).toMatch(/^tsk_[A-Za-z0-9_-]{43}$/);
    expect(key).toMatchObject({ scopes: ['read', 'write'], hint: key.secret.slice(0, 12), expired: false });

    for (const header of ['bearer', 'x-api-key'] as const) {
      const me = await withKey('/v1/users/me', key.secret, {}, header);
      expect(me.status).toBe(200);
      expect(me.body.id).toBe(owner.id);
    }
    const listed = await owner.client.GET('/v1/api-keys');
    expect(listed.data!.items.map((k) => k.id)).toContain(key.id);
    expect(JSON.stringify(listed.data)).not.toContain(key.secret.slice(12));
    expect(listed.data!.items.find((k) => k.id === key.id)!.lastUsedAt).not.toBeNull();

    // The generated client takes a key as it takes an access token.
    const program = createTesseraClient({ baseUrl: api.baseUrl, apiKey: key.secret });
    expect((await program.GET('/v1/users/me')).data?.id).toBe(owner.id);
  });

  it('allow what their scopes say and refuse the rest with 403 INSUFFICIENT_SCOPE', async () => {
    const reader = await makeKey(owner.accessToken, { name: 'reader', scopes: ['read'] });
    const writer = await makeKey(owner.accessToken, { name: 'writer', scopes: ['write'] });
    const patch = (secret: string, id: string) =>
      withKey(`/v1/panoramas/${id}`, secret, {
        method: 'PATCH',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ title: 'renamed by a key' }),
      });

    // write: an upload through the generated client
    const program = createTesseraClient({ baseUrl: api.baseUrl, apiKey: writer.secret });
    const uploaded = await upload(program, await makeJpeg(64, 32), { fields: { presets: 'none' } });
    expect(uploaded.response.status).toBe(202);
    const id = uploaded.data!.id;

    expect((await withKey(`/v1/panoramas/${id}`, reader.secret)).status).toBe(200);
    const refusedRead = await withKey(`/v1/panoramas/${id}`, writer.secret);
    expectProblem(refusedRead, 403, 'INSUFFICIENT_SCOPE');
    expect(refusedRead.headers.get('www-authenticate')).toContain('insufficient_scope');
    expectProblem(await patch(reader.secret, id), 403, 'INSUFFICIENT_SCOPE');
    expect((await patch(writer.secret, id)).status).toBe(200);

    // A POST that only reads (an archive) is read; a HEAD that is part of an upload is write.
    const archive = await withKey('/v1/panoramas/archive', reader.secret, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ids: [id] }),
    });
    expect(archive.status).toBe(200);
    expectProblem(
      await withKey('/v1/panoramas/archive', writer.secret, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ ids: [id] }),
      }),
      403,
      'INSUFFICIENT_SCOPE',
    );
    expectProblem(await withKey('/v1/panoramas', reader.secret, { method: 'POST' }), 403, 'INSUFFICIENT_SCOPE');

    // Keys are never managed with a key, whatever its scopes.
    for (const secret of [reader.secret, writer.secret]) {
      expectProblem(await withKey('/v1/api-keys', secret), 403, 'INSUFFICIENT_SCOPE');
      expectProblem(
        await withKey('/v1/api-keys', secret, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ name: 'more', scopes: ['read'] }),
        }),
        403,
        'INSUFFICIENT_SCOPE',
      );
    }
  });

  it('read tiles and follow an event stream with the read scope, and upload over tus with write', async () => {
    const key = await makeKey(owner.accessToken, { name: 'tus and events', scopes: ['read', 'write'] });
    const bytes = await makeJpeg(300, 150);
    const panoramaId = await new Promise<string>((resolve, reject) => {
      const job = new tus.Upload(bytes, {
        endpoint: `${api.baseUrl}/v1/uploads`,
        headers: { 'x-api-key': key.secret },
        metadata: { filename: 'keyed.jpg', presets: 'none' },
        chunkSize: 4096,
        retryDelays: [],
        onError: reject,
        onSuccess: ({ lastResponse }) => resolve(lastResponse.getHeader('tessera-panorama-id')!),
      });
      job.start();
    });
    const panorama = await withKey(`/v1/panoramas/${panoramaId}`, key.secret);
    expect(panorama.body).toMatchObject({ id: panoramaId, title: 'keyed' });
    const tileSetId = (panorama.body.tileSets as { id: string }[])[0].id;
    const events = await followEvents(`${api.baseUrl}/v1/tilesets/${tileSetId}/events`, key.secret);
    expect(events.at(-1)?.event).toBe('ready');
    const tile = await fetch(`${api.baseUrl}/v1/tilesets/${tileSetId}/image_files/0/0_0.jpeg`, {
      headers: { 'x-api-key': key.secret },
    });
    expect(tile.status).toBe(200);
    expect(tile.headers.get('content-type')).toBe('image/jpeg');

    const writeOnly = await makeKey(owner.accessToken, { name: 'no read', scopes: ['write'] });
    const refusedTile = await rawFetch(api.baseUrl, `/v1/tilesets/${tileSetId}/image_files/0/0_0.jpeg`, {
      headers: { 'x-api-key': writeOnly.secret },
    });
    expectProblem(refusedTile, 403, 'INSUFFICIENT_SCOPE');
  });

  it('stop at once when revoked (on every request after), and when expired', async () => {
    const key = await makeKey(owner.accessToken, { name: 'short-lived', scopes: ['read'] });
    expect((await withKey('/v1/panoramas', key.secret)).status).toBe(200);
    expect((await owner.client.DELETE('/v1/api-keys/{id}', { params: { path: { id: key.id } } })).response.status).toBe(
      204,
    );
    const refused = await withKey('/v1/panoramas', key.secret);
    expectProblem(refused, 401, 'INVALID_API_KEY');
    expect(refused.headers.get('www-authenticate')).toContain('invalid_token');
    expectProblem(
      fromClient(await owner.client.DELETE('/v1/api-keys/{id}', { params: { path: { id: key.id } } })),
      404,
      'API_KEY_NOT_FOUND',
    );

    // An expiry in the future is kept; once it has passed (moved into the past in the
    // database, as time would), the key is refused.
    const expiresAt = new Date(Date.now() + 3_600_000);
    const expiring = await makeKey(owner.accessToken, { name: 'expiring', scopes: ['read'], expiresAt });
    expect(expiring.expiresAt).toBe(expiresAt.toISOString());
    const db = new pg.Client({ connectionString: api.db.url });
    await db.connect();
    await db.query(`update api_keys set expires_at = now() - interval '1 second' where id = $1`, [expiring.id]);
    await db.end();
    expectProblem(await withKey('/v1/panoramas', expiring.secret), 401, 'INVALID_API_KEY');
    const listed = await owner.client.GET('/v1/api-keys');
    expect(listed.data!.items.find((k) => k.id === expiring.id)?.expired).toBe(true);

    for (const wrong of ['tsk_' + 'A'.repeat(43), `${expiring.secret}x`, 'tsk_', 'x'.repeat(5000)]) {
      expectProblem(await withKey('/v1/panoramas', wrong), 401, 'INVALID_API_KEY');
    }
  });

  it('refuse bad input: past expiry, unknown or empty scopes, hostile names, admin scope for a non-admin', async () => {
    const post = (body: unknown) =>
      rawFetch(api.baseUrl, '/v1/api-keys', {
        method: 'POST',
        headers: { authorization: `Bearer ${owner.accessToken}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    for (const body of [
      { name: 'x', scopes: ['read'], expiresAt: '2020-01-01T00:00:00Z' },
      { name: 'x', scopes: ['read'], expiresAt: 'tomorrow' },
      { name: 'x', scopes: [] },
      { name: 'x', scopes: ['root'] },
      { name: 'x', scopes: 'read' },
      { name: '', scopes: ['read'] },
      { name: 'a\nb', scopes: ['read'] },
      { name: 'nul\u0000', scopes: ['read'] },
      { name: 'x'.repeat(101), scopes: ['read'] },
      { scopes: ['read'] },
    ]) {
      expectProblem(await post(body), 400, 'VALIDATION_FAILED');
    }
    expectProblem(await post({ name: 'x', scopes: ['read', 'admin'] }), 403, 'FORBIDDEN');
    const odd = await post({ name: '<script>alert(1)</script> ‮ 🎉', scopes: ['read'] });
    expect(odd.status).toBe(201);
    expect(odd.body.name).toBe('<script>alert(1)</script> ‮ 🎉');
  });

  it("never do more than their owner: a non-admin's key on an admin route is 403; an admin's admin key works", async () => {
    const key = await makeKey(owner.accessToken, { name: 'user key', scopes: ['read', 'write'] });
    expectProblem(await withKey('/v1/users', key.secret), 403, 'INSUFFICIENT_SCOPE');

    const admin = await api.adminClient();
    const adminToken = (
      await api.client().POST('/v1/auth/login', { body: { email: ADMIN_EMAIL, password: ADMIN_PASSWORD } })
    ).data!.accessToken;
    const adminRead = await makeKey(adminToken, { name: 'admin without admin scope', scopes: ['read'] });
    expectProblem(await withKey('/v1/users', adminRead.secret), 403, 'INSUFFICIENT_SCOPE');
    const adminKey = await makeKey(adminToken, { name: 'admin', scopes: ['read', 'admin'] });
    expect((await withKey('/v1/users', adminKey.secret)).status).toBe(200);

    // The admin sees and revokes the user's keys.
    const theirs = await admin.GET('/v1/users/{userId}/api-keys', { params: { path: { userId: owner.id } } });
    expect(theirs.data!.items.map((k) => k.id)).toContain(key.id);
    const revoked = await withKey(`/v1/users/${owner.id}/api-keys/${key.id}`, adminKey.secret, { method: 'DELETE' });
    expect(revoked.status).toBe(204);
    expectProblem(await withKey('/v1/users/me', key.secret), 401, 'INVALID_API_KEY');
  });

  it('serve many requests of one key at once (two workers sharing it)', async () => {
    const key = await makeKey(owner.accessToken, { name: 'shared by workers', scopes: ['read'] });
    const answers = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        withKey('/v1/panoramas?limit=1', key.secret, {}, i % 2 === 0 ? 'bearer' : 'x-api-key'),
      ),
    );
    expect(answers.map((a) => a.status)).toEqual(answers.map(() => 200));
  });

  it('end with their user: deleting a user refuses their keys', async () => {
    const leaving = await api.userClient();
    const key = await makeKey(leaving.accessToken, { name: 'mine', scopes: ['read'] });
    expect((await withKey('/v1/users/me', key.secret)).status).toBe(200);
    const admin = await api.adminClient();
    expect((await admin.DELETE('/v1/users/{id}', { params: { path: { id: leaving.id } } })).response.status).toBe(204);
    expectProblem(await withKey('/v1/users/me', key.secret), 401, 'INVALID_API_KEY');
  });
});
