import { type ApiHarness, expectProblem, rawFetch, startApi } from './support/api-harness.js';

let api: ApiHarness;
beforeAll(async () => {
  api = await startApi({ JSON_BODY_LIMIT_BYTES: '2048', CORS_ORIGINS: 'https://viewer.example.com' });
});
afterAll(() => api?.close());

const post = (path: string, body: string, headers: Record<string, string> = {}) =>
  rawFetch(api.baseUrl, path, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });

describe('every error is application/problem+json', () => {
  it('unknown route: 404', async () => {
    const body = expectProblem(await rawFetch(api.baseUrl, '/v1/no-such-thing'), 404, 'NOT_FOUND');
    expect(body).toMatchObject({
      type: 'urn:tessera:problem:not-found',
      title: 'Not Found',
      instance: '/v1/no-such-thing',
    });
  });

  it("malformed JSON: 400 without the parser's internals", async () => {
    const body = expectProblem(await post('/v1/auth/login', '{"email": '), 400, 'MALFORMED_BODY');
    expect(body.detail).toBe('The request body could not be parsed.');
  });

  it('body over JSON_BODY_LIMIT_BYTES: 413', async () => {
    expectProblem(
      await post('/v1/auth/login', JSON.stringify({ email: 'x'.repeat(4096), password: 'y' })),
      413,
      'PAYLOAD_TOO_LARGE',
    );
  });

  it('unknown field: 400 naming it', async () => {
    const body = expectProblem(
      await post('/v1/auth/register', JSON.stringify({ email: 'a@b.co', password: 'long enough pw', ownerId: 'x' })),
      400,
      'VALIDATION_FAILED',
    );
    expect(body.errors).toEqual([{ field: 'ownerId', message: 'property ownerId should not exist' }]);
  });

  it('validation failure: 400 listing every invalid field', async () => {
    const body = expectProblem(
      await post('/v1/auth/register', JSON.stringify({ email: 'nope', password: 'short' })),
      400,
      'VALIDATION_FAILED',
    );
    expect((body.errors as { field: string }[]).map((e) => e.field).sort()).toEqual(['email', 'password']);
  });

  it('refuses __proto__ / constructor keys instead of letting them become a prototype', async () => {
    const body = expectProblem(
      await post(
        '/v1/auth/register',
        '{"email":"proto@example.com","password":"long enough pw","__proto__":{"role":"admin"}}',
      ),
      400,
      'VALIDATION_FAILED',
    );
    expect(body.errors).toEqual([{ field: '__proto__', message: 'property __proto__ should not exist' }]);
    expectProblem(
      await post('/v1/auth/login', '{"email":"a@b.co","password":"x","nested":{"constructor":{}}}'),
      400,
      'VALIDATION_FAILED',
    );
  });

  it('wrong JSON types (array body, number for string) are validation errors, not 500s', async () => {
    expectProblem(await post('/v1/auth/login', '[1,2,3]'), 400, 'VALIDATION_FAILED');
    expectProblem(
      await post('/v1/auth/login', JSON.stringify({ email: 42, password: { a: 1 } })),
      400,
      'VALIDATION_FAILED',
    );
  });

  it('echoes a sane X-Request-Id and puts it in the problem; replaces an unsafe one', async () => {
    const ok = await rawFetch(api.baseUrl, '/v1/nowhere', { headers: { 'x-request-id': 'trace-123' } });
    expect(ok.headers.get('x-request-id')).toBe('trace-123');
    expect(ok.body.requestId).toBe('trace-123');
    const unsafe = await rawFetch(api.baseUrl, '/v1/nowhere', { headers: { 'x-request-id': 'a b\tc<script>' } });
    expect(unsafe.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe('HTTP hardening', () => {
  it('sets security headers and hides the framework', async () => {
    const response = await rawFetch(api.baseUrl, '/health/live');
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(response.headers.get('x-powered-by')).toBeNull();
  });

  it('allows CORS only for configured origins', async () => {
    const allowed = await rawFetch(api.baseUrl, '/health/live', { headers: { origin: 'https://viewer.example.com' } });
    expect(allowed.headers.get('access-control-allow-origin')).toBe('https://viewer.example.com');
    const other = await rawFetch(api.baseUrl, '/health/live', { headers: { origin: 'https://evil.example.com' } });
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('serves Swagger UI at /docs and the spec at /openapi.json', async () => {
    const ui = await fetch(`${api.baseUrl}/docs`);
    expect(ui.status).toBe(200);
    expect(await ui.text()).toContain('swagger-ui');
    const spec = await rawFetch(api.baseUrl, '/openapi.json');
    expect(spec.body).toMatchObject({ openapi: expect.stringMatching(/^3\./), info: { title: 'Tessera API' } });
  });
});

describe('health', () => {
  it('live and ready when the database answers', async () => {
    expect((await rawFetch(api.baseUrl, '/health/live')).body).toEqual({ status: 'ok' });
    const ready = await rawFetch(api.baseUrl, '/health/ready');
    expect(ready.status).toBe(200);
    expect(ready.body).toMatchObject({
      status: 'ok',
      details: { database: { status: 'up' }, lifecycle: { status: 'up' } },
    });
  });
});

describe('throttling', () => {
  let strict: ApiHarness;
  beforeAll(async () => {
    strict = await startApi({ THROTTLE_AUTH_LIMIT: '3', THROTTLE_AUTH_TTL_SECONDS: '60', THROTTLE_LIMIT: '1000' });
  });
  afterAll(() => strict?.close());

  it('answers repeated logins with 429 problem+json and Retry-After, while reads go on', async () => {
    const attempt = () =>
      rawFetch(strict.baseUrl, '/v1/auth/login', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: 'nobody@example.com', password: 'wrong password' }),
      });
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await attempt()).status);
    expect(statuses).toEqual([401, 401, 401]);

    const limited = await attempt();
    expectProblem(limited, 429, 'TOO_MANY_REQUESTS');
    const retryAfter = Number(limited.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);

    // Each category is counted separately: other routes are unaffected.
    expect((await rawFetch(strict.baseUrl, '/health/live')).status).toBe(200);
    // With TRUST_PROXY_HOPS=0 a forged X-Forwarded-For does not make a new client.
    const forged = await rawFetch(strict.baseUrl, '/v1/auth/login', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-forwarded-for': '198.51.100.7' },
      body: JSON.stringify({ email: 'nobody@example.com', password: 'wrong password' }),
    });
    expect(forged.status).toBe(429);
  });

  it('behind TRUST_PROXY_HOPS=1 counts each client address the proxy reports', async () => {
    const proxied = await startApi({ TRUST_PROXY_HOPS: '1', THROTTLE_AUTH_LIMIT: '2' });
    try {
      const from = (ip: string) =>
        rawFetch(proxied.baseUrl, '/v1/auth/login', {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-forwarded-for': ip },
          body: JSON.stringify({ email: 'nobody@example.com', password: 'wrong password' }),
        });
      const first = [];
      for (let i = 0; i < 3; i++) first.push((await from('203.0.113.1')).status);
      expect(first).toEqual([401, 401, 429]);
      expect((await from('203.0.113.2')).status).toBe(401);
      // Only the last hop is trusted: a client cannot prepend addresses to escape its bucket.
      expect((await from('10.9.9.9, 203.0.113.1')).status).toBe(429);
    } finally {
      await proxied.close();
    }
  });

  it('limits sign-in attempts per account too, whatever the addresses they come from', async () => {
    const proxied = await startApi({ TRUST_PROXY_HOPS: '1', THROTTLE_ACCOUNT_LIMIT: '3' });
    try {
      const attempt = (ip: string, email: string) =>
        rawFetch(proxied.baseUrl, '/v1/auth/login', {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-forwarded-for': ip },
          body: JSON.stringify({ email, password: 'guessing password' }),
        });
      const spread = [];
      for (let i = 0; i < 4; i++) spread.push((await attempt(`203.0.113.${10 + i}`, 'Target@Example.com')).status);
      expect(spread).toEqual([401, 401, 401, 429]);
      // The same account in another spelling is the same account.
      expectProblem(await attempt('203.0.113.50', ' target@example.com'), 429, 'TOO_MANY_REQUESTS');
      // Other accounts are not affected.
      expect((await attempt('203.0.113.51', 'someone-else@example.com')).status).toBe(401);
    } finally {
      await proxied.close();
    }
  });
});
