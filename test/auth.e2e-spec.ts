import { forgeJwt, nowSeconds, tamperJwt } from '#testing';
import { ResetPasswordUseCase } from '#users';
import {
  ADMIN_EMAIL,
  type ApiHarness,
  expectProblem,
  fromClient,
  JWT_SECRET,
  rawFetch,
  startApi,
} from './support/api-harness.js';

let api: ApiHarness;
beforeAll(async () => {
  // No reuse interval: a replay at once must revoke (the interval is the use case's spec to test).
  api = await startApi({ JWT_REFRESH_REUSE_SECONDS: '0' });
});
afterAll(() => api?.close());

describe('register, login, me', () => {
  it('registers a user (201, role user) who can sign in and read themselves', async () => {
    const client = api.client();
    const registered = await client.POST('/v1/auth/register', {
      body: { email: 'Grace@Example.com', password: 'grace password 1' },
    });
    expect(registered.response.status).toBe(201);
    expect(registered.data).toMatchObject({ email: 'grace@example.com', role: 'user' });
    expect(registered.data).not.toHaveProperty('passwordHash');

    const login = await client.POST('/v1/auth/login', {
      body: { email: 'grace@example.com', password: 'grace password 1' },
    });
    expect(login.response.status).toBe(200);
    expect(login.data).toMatchObject({ tokenType: 'Bearer', expiresIn: 900 });

    client.setAccessToken(login.data!.accessToken);
    const me = await client.GET('/v1/users/me');
    expect(me.data).toEqual(registered.data);
  });

  it('refuses a second registration of the same email (409)', async () => {
    const { email } = await api.userClient();
    const again = await api
      .client()
      .POST('/v1/auth/register', { body: { email: email.toUpperCase(), password: 'another password' } });
    expectProblem(fromClient(again), 409, 'EMAIL_ALREADY_REGISTERED');
  });

  it('answers an unknown email and a wrong password alike', async () => {
    const { email } = await api.userClient();
    const wrongPassword = await api.client().POST('/v1/auth/login', { body: { email, password: 'not the password' } });
    const unknownEmail = await api
      .client()
      .POST('/v1/auth/login', { body: { email: 'nobody@example.com', password: 'not the password' } });
    const a = expectProblem(fromClient(wrongPassword), 401, 'INVALID_CREDENTIALS');
    const b = expectProblem(fromClient(unknownEmail), 401, 'INVALID_CREDENTIALS');
    const { requestId: _a, ...restA } = a;
    const { requestId: _b, ...restB } = b;
    expect(restA).toEqual(restB);
  });

  it('seeded the configured admin at start-up', async () => {
    const admin = await api.adminClient();
    const me = await admin.GET('/v1/users/me');
    expect(me.data).toMatchObject({ email: ADMIN_EMAIL, role: 'admin' });
  });
});

describe('refresh rotation and logout', () => {
  it('rotates refresh tokens; replaying a rotated one revokes the whole family', async () => {
    const user = await api.userClient();
    const client = api.client();

    const first = await client.POST('/v1/auth/refresh', { body: { refreshToken: user.refreshToken } });
    expect(first.response.status).toBe(200);
    const second = await client.POST('/v1/auth/refresh', { body: { refreshToken: first.data!.refreshToken } });
    expect(second.response.status).toBe(200);

    // Replay of the first (already rotated) token: refused, and the family is revoked...
    const replay = await client.POST('/v1/auth/refresh', { body: { refreshToken: user.refreshToken } });
    expectProblem(fromClient(replay), 401, 'INVALID_REFRESH_TOKEN');
    // ...so even the newest token of that family no longer works.
    const newest = await client.POST('/v1/auth/refresh', { body: { refreshToken: second.data!.refreshToken } });
    expectProblem(fromClient(newest), 401, 'INVALID_REFRESH_TOKEN');
  });

  it('gives exactly one winner when the same refresh token is used twice at once', async () => {
    const user = await api.userClient();
    const results = await Promise.all(
      [1, 2, 3].map(() => api.client().POST('/v1/auth/refresh', { body: { refreshToken: user.refreshToken } })),
    );
    expect(results.map((r) => r.response.status).sort()).toEqual([200, 401, 401]);
  });

  it('logout revokes the session (204); its refresh token stops working', async () => {
    const user = await api.userClient();
    const logout = await user.client.POST('/v1/auth/logout', { body: { refreshToken: user.refreshToken } });
    expect(logout.response.status).toBe(204);
    const refresh = await api.client().POST('/v1/auth/refresh', { body: { refreshToken: user.refreshToken } });
    expectProblem(fromClient(refresh), 401, 'INVALID_REFRESH_TOKEN');
  });

  it("a user cannot log out another user's session", async () => {
    const victim = await api.userClient();
    const attacker = await api.userClient();
    await attacker.client.POST('/v1/auth/logout', { body: { refreshToken: victim.refreshToken } });
    const refresh = await api.client().POST('/v1/auth/refresh', { body: { refreshToken: victim.refreshToken } });
    expect(refresh.response.status).toBe(200);
  });
});

describe('access token checks (401, never 500)', () => {
  const me = (token?: string) =>
    rawFetch(api.baseUrl, '/v1/users/me', token === undefined ? {} : { headers: { authorization: `Bearer ${token}` } });
  const claims = (sub: string) => ({
    sub,
    role: 'admin',
    iss: 'tessera',
    aud: 'tessera-api',
    iat: nowSeconds(),
    exp: nowSeconds() + 60,
  });

  it('asks for a bearer token when there is none', async () => {
    const response = await me();
    expectProblem(response, 401, 'AUTHENTICATION_REQUIRED');
    expect(response.headers.get('www-authenticate')).toBe('Bearer realm="tessera"');
  });

  it('accepts a token signed like ours (the control for the cases below)', async () => {
    const user = await api.userClient();
    expect((await me(forgeJwt({ payload: claims(user.id), secret: JWT_SECRET }))).status).toBe(200);
  });

  it.each([
    ['alg none', () => forgeJwt({ header: { alg: 'none', typ: 'at+jwt' }, payload: claims('x') })],
    ['a tampered signature', () => forgeJwt({ payload: claims('x'), secret: JWT_SECRET }).replace(/.{4}$/, 'AAAA')],
    [
      'a tampered payload',
      () => tamperJwt(forgeJwt({ payload: { ...claims('x'), role: 'user' }, secret: JWT_SECRET }), { role: 'admin' }),
    ],
    ['the wrong key', () => forgeJwt({ payload: claims('x'), secret: 'not-our-secret'.padEnd(40, '!') })],
    ['the wrong issuer', () => forgeJwt({ payload: { ...claims('x'), iss: 'someone-else' }, secret: JWT_SECRET })],
    ['the wrong audience', () => forgeJwt({ payload: { ...claims('x'), aud: 'another-api' }, secret: JWT_SECRET })],
    ['no exp', () => forgeJwt({ payload: { ...claims('x'), exp: undefined }, secret: JWT_SECRET })],
    ['an expired exp', () => forgeJwt({ payload: { ...claims('x'), exp: nowSeconds() - 1 }, secret: JWT_SECRET })],
    ['garbage', () => 'abc.def.ghi'],
  ])('rejects %s', async (_name, make) => {
    const response = await me(make());
    expectProblem(response, 401, 'INVALID_ACCESS_TOKEN');
    expect(response.headers.get('www-authenticate')).toBe('Bearer realm="tessera", error="invalid_token"');
  });

  it('does not take a refresh token as an access token', async () => {
    const user = await api.userClient();
    expectProblem(await me(user.refreshToken), 401, 'INVALID_ACCESS_TOKEN');
  });

  it('does not take an access token as a refresh token', async () => {
    const user = await api.userClient();
    const response = await api.client().POST('/v1/auth/refresh', { body: { refreshToken: user.accessToken } });
    expectProblem(fromClient(response), 401, 'INVALID_REFRESH_TOKEN');
  });
});

/** Polls until `check` holds (notifications travel asynchronously), failing after `ms`. */
async function eventually(check: () => Promise<boolean>, ms = 3_000): Promise<number> {
  const started = Date.now();
  while (!(await check())) {
    if (Date.now() - started > ms) throw new Error(`still not true after ${ms} ms`);
    await new Promise((done) => setTimeout(done, 25));
  }
  return Date.now() - started;
}

describe('a refresh token rotated seconds ago (JWT_REFRESH_REUSE_SECONDS, the default 10)', () => {
  let withReuse: ApiHarness;
  beforeAll(async () => {
    withReuse = await startApi();
  });
  afterAll(() => withReuse?.close());

  it('gives every one of five refreshes released at once a pair of the same live session', async () => {
    const user = await withReuse.userClient();
    const results = await Promise.all(
      Array.from({ length: 5 }, () =>
        withReuse.client().POST('/v1/auth/refresh', { body: { refreshToken: user.refreshToken } }),
      ),
    );
    expect(results.map((r) => r.response.status)).toEqual([200, 200, 200, 200, 200]);
    const tokens = results.map((r) => r.data!.refreshToken);
    expect(new Set(tokens).size).toBe(5);
    // None revoked the session: each new token still refreshes (once each, in turn).
    for (const refreshToken of tokens) {
      const next = await withReuse.client().POST('/v1/auth/refresh', { body: { refreshToken } });
      expect(next.response.status).toBe(200);
    }
    // A logout ends them all, the interval notwithstanding.
    const signedIn = withReuse.client();
    signedIn.setAccessToken(results[0].data!.accessToken);
    const out = await signedIn.POST('/v1/auth/logout', { body: { refreshToken: tokens[0] } });
    expect(out.response.status).toBe(204);
    const after = await withReuse.client().POST('/v1/auth/refresh', { body: { refreshToken: user.refreshToken } });
    expectProblem(fromClient(after), 401, 'INVALID_REFRESH_TOKEN');
  });
});

describe('revocation reaches access tokens at once (SECURITY.md items 13, 26)', () => {
  const get = (path: string, token: string) =>
    rawFetch(api.baseUrl, path, { headers: { authorization: `Bearer ${token}` } });

  it('refuses a validly signed token whose subject is not a UUID, or no user: 401, never 500', async () => {
    for (const sub of ['user-1', "' or 1=1 --", '00000000-0000-4000-8000-000000000000']) {
      const token = forgeJwt({
        payload: { sub, role: 'admin', iss: 'tessera', aud: 'tessera-api', iat: nowSeconds(), exp: nowSeconds() + 60 },
        secret: JWT_SECRET,
      });
      expectProblem(await get('/v1/users/me', token), 401, 'INVALID_ACCESS_TOKEN');
      const form = new FormData();
      form.append('file', new Blob([new Uint8Array([0xff, 0xd8, 0xff])]), 'a.jpg');
      const upload = await rawFetch(api.baseUrl, '/v1/panoramas', {
        method: 'POST',
        headers: { authorization: `Bearer ${token}` },
        body: form,
      });
      expectProblem(upload, 401, 'INVALID_ACCESS_TOKEN');
    }
  });

  it("refuses a deleted user's token within seconds, also for an upload (once a 500)", async () => {
    const admin = await api.adminClient();
    const doomed = await api.userClient();
    expect((await get('/v1/users/me', doomed.accessToken)).status).toBe(200);
    await admin.DELETE('/v1/users/{id}', { params: { path: { id: doomed.id } } });
    await eventually(async () => (await get('/v1/users/me', doomed.accessToken)).status === 401);
    const form = new FormData();
    form.append('file', new Blob([new Uint8Array([0xff, 0xd8, 0xff])]), 'a.jpg');
    const upload = await rawFetch(api.baseUrl, '/v1/panoramas', {
      method: 'POST',
      headers: { authorization: `Bearer ${doomed.accessToken}` },
      body: form,
    });
    expectProblem(upload, 401, 'INVALID_ACCESS_TOKEN');
  });

  it("logout ends that session's access tokens within seconds; the user's other sessions keep theirs", async () => {
    const user = await api.userClient();
    const other = await api.client().POST('/v1/auth/login', { body: { email: user.email, password: user.password } });
    await user.client.POST('/v1/auth/logout', { body: { refreshToken: user.refreshToken } });
    await eventually(async () => (await get('/v1/users/me', user.accessToken)).status === 401);
    expectProblem(await get('/v1/users/me', user.accessToken), 401, 'INVALID_ACCESS_TOKEN');
    expect((await get('/v1/users/me', other.data!.accessToken)).status).toBe(200);
  });

  it('a role change applies to tokens already issued, within seconds', async () => {
    const admin = await api.adminClient();
    const user = await api.userClient();
    expect((await get('/v1/users', user.accessToken)).status).toBe(403);
    await admin.PATCH('/v1/users/{id}', { params: { path: { id: user.id } }, body: { role: 'admin' } });
    await eventually(async () => (await get('/v1/users', user.accessToken)).status === 200);
    await admin.PATCH('/v1/users/{id}', { params: { path: { id: user.id } }, body: { role: 'user' } });
    await eventually(async () => (await get('/v1/users', user.accessToken)).status === 403);
  });

  it('a password reset ends every access token issued before it', async () => {
    const user = await api.userClient();
    await new Promise((done) => setTimeout(done, 1_100)); // tokens carry whole seconds
    await api.app.get(ResetPasswordUseCase).execute({ email: user.email, password: 'a brand new password' });
    await eventually(async () => (await get('/v1/users/me', user.accessToken)).status === 401);
    const again = await api.client().POST('/v1/auth/login', {
      body: { email: user.email, password: 'a brand new password' },
    });
    expect((await get('/v1/users/me', again.data!.accessToken)).status).toBe(200);
  });
});
