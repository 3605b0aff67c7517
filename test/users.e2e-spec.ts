import type { TesseraClient } from '#client';
import {
  ADMIN_EMAIL,
  ADMIN_PASSWORD,
  type ApiHarness,
  expectProblem,
  fromClient,
  rawFetch,
  startApi,
} from './support/api-harness.js';

let api: ApiHarness;
let admin: TesseraClient;
beforeAll(async () => {
  api = await startApi();
  admin = await api.adminClient();
});
afterAll(() => api?.close());

const MISSING = '5b3e2a8c-7d41-4f0e-9c6b-2a1d0e9f8c7b';

async function adminToken(): Promise<string> {
  const { data } = await api
    .client()
    .POST('/v1/auth/login', { body: { email: ADMIN_EMAIL, password: ADMIN_PASSWORD } });
  return data!.accessToken;
}

describe('admin user management', () => {
  it('lists every user newest first, page by page', async () => {
    const created = [];
    for (let i = 0; i < 3; i++) created.push((await api.userClient()).id);

    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await admin.GET('/v1/users', { params: { query: { limit: 2, cursor } } });
      expect(page.response.status).toBe(200);
      expect(page.data!.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.data!.items.map((u) => u.id));
      cursor = page.data!.nextCursor ?? undefined;
    } while (cursor);

    expect(seen.slice(0, 3)).toEqual(created.reverse());
    expect(new Set(seen).size).toBe(seen.length);
  });

  it('changes a role; the promoted user can then use admin routes with a new token', async () => {
    const user = await api.userClient();
    const updated = await admin.PATCH('/v1/users/{id}', { params: { path: { id: user.id } }, body: { role: 'admin' } });
    expect(updated.data).toMatchObject({ id: user.id, role: 'admin' });

    const relogin = await api.client().POST('/v1/auth/login', { body: { email: user.email, password: user.password } });
    const promoted = api.client();
    promoted.setAccessToken(relogin.data!.accessToken);
    expect((await promoted.GET('/v1/users')).response.status).toBe(200);
  });

  it('deletes a user (204): their sessions end and the id is gone', async () => {
    const user = await api.userClient();
    const deleted = await admin.DELETE('/v1/users/{id}', { params: { path: { id: user.id } } });
    expect(deleted.response.status).toBe(204);

    const refresh = await api.client().POST('/v1/auth/refresh', { body: { refreshToken: user.refreshToken } });
    expectProblem(fromClient(refresh), 401, 'INVALID_REFRESH_TOKEN');
    const again = await admin.DELETE('/v1/users/{id}', { params: { path: { id: user.id } } });
    expectProblem(fromClient(again), 404, 'USER_NOT_FOUND');
  });

  it('will not demote or delete the last admin', async () => {
    const me = (await admin.GET('/v1/users/me')).data!;
    // Leave the seeded admin as the only one (an earlier test promoted someone).
    const everyone = (await admin.GET('/v1/users', { params: { query: { limit: 100 } } })).data!.items;
    for (const other of everyone.filter((u) => u.role === 'admin' && u.id !== me.id)) {
      expect(
        (await admin.PATCH('/v1/users/{id}', { params: { path: { id: other.id } }, body: { role: 'user' } })).response
          .status,
      ).toBe(200);
    }
    expectProblem(
      fromClient(await admin.PATCH('/v1/users/{id}', { params: { path: { id: me.id } }, body: { role: 'user' } })),
      409,
      'LAST_ADMIN',
    );
    expectProblem(
      fromClient(await admin.DELETE('/v1/users/{id}', { params: { path: { id: me.id } } })),
      409,
      'LAST_ADMIN',
    );
    expect((await admin.GET('/v1/users/me')).data).toMatchObject({ id: me.id, role: 'admin' });
  });

  it('answers 404 for an unknown id and 400 for a malformed one', async () => {
    expectProblem(
      fromClient(await admin.PATCH('/v1/users/{id}', { params: { path: { id: MISSING } }, body: { role: 'user' } })),
      404,
      'USER_NOT_FOUND',
    );
    const bad = expectProblem(
      fromClient(await admin.DELETE('/v1/users/{id}', { params: { path: { id: 'not-a-uuid' } } })),
      400,
      'VALIDATION_FAILED',
    );
    expect(bad.errors).toEqual([{ field: 'id', message: 'id must be a UUID' }]);
  });

  it('refuses fields an admin may not set through this route', async () => {
    const user = await api.userClient();
    const response = await rawFetch(api.baseUrl, `/v1/users/${user.id}`, {
      method: 'PATCH',
      headers: { authorization: `Bearer ${await adminToken()}`, 'content-type': 'application/json' },
      body: JSON.stringify({ role: 'admin', email: 'hijack@example.com' }),
    });
    const problem = expectProblem(response, 400, 'VALIDATION_FAILED');
    expect(problem.errors).toEqual([{ field: 'email', message: 'property email should not exist' }]);
    expect(
      (await admin.GET('/v1/users', { params: { query: { limit: 100 } } })).data!.items.find((u) => u.id === user.id)
        ?.role,
    ).toBe('user');
  });

  it('rejects a malformed cursor with 400', async () => {
    expectProblem(
      fromClient(await admin.GET('/v1/users', { params: { query: { cursor: 'garbage' } } })),
      400,
      'INVALID_CURSOR',
    );
  });
});

describe('non-admins', () => {
  it('get 403 on every admin route', async () => {
    const { client, id } = await api.userClient();
    expectProblem(fromClient(await client.GET('/v1/users')), 403, 'FORBIDDEN');
    expectProblem(
      fromClient(await client.PATCH('/v1/users/{id}', { params: { path: { id } }, body: { role: 'admin' } })),
      403,
      'FORBIDDEN',
    );
    expectProblem(fromClient(await client.DELETE('/v1/users/{id}', { params: { path: { id } } })), 403, 'FORBIDDEN');
    expect((await client.GET('/v1/users/me')).data).toMatchObject({ id, role: 'user' });
  });

  it('cannot grant themselves a role at sign-up', async () => {
    const response = await rawFetch(api.baseUrl, '/v1/auth/register', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'sneaky@example.com', password: 'sneaky password', role: 'admin' }),
    });
    expectProblem(response, 400, 'VALIDATION_FAILED');
    const login = await api
      .client()
      .POST('/v1/auth/login', { body: { email: 'sneaky@example.com', password: 'sneaky password' } });
    expect(login.response.status).toBe(401);
  });
});
