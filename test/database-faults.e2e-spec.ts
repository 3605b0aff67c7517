import { startTcpProxy, type TcpProxy } from '#testing';
import { type ApiHarness, expectProblem, rawFetch, startApi } from './support/api-harness.js';

/**
 * Database faults. PostgreSQL goes away (SECURITY.md item 19): the app reaches it through a TCP proxy that the
 * test cuts, so connections are reset and new ones refused, as with a crashed server. While
 * it is down: 503 problems, no crash, liveness fine. When it is back: recovery, no restart.
 */
let api: ApiHarness;
let proxy: TcpProxy;
beforeAll(async () => {
  proxy = await startTcpProxy('127.0.0.1', 5432);
  api = await startApi({ DATABASE_POOL_MAX: '2' }, {
    databaseUrl: (url) => {
      const proxied = new URL(url);
      proxied.port = String(proxy.port);
      return proxied.toString();
    },
  });
});
afterAll(async () => {
  await proxy.restore().catch(() => undefined);
  await api?.close();
  await proxy?.close();
});

const login = () =>
  rawFetch(api.baseUrl, '/v1/auth/login', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: 'someone@example.com', password: 'whatever it is' }),
  });

it('answers 503 while the database is down and recovers by itself', async () => {
  expect((await rawFetch(api.baseUrl, '/health/ready')).status).toBe(200);
  expect((await login()).status).toBe(401);

  await proxy.cut();

  const ready = await rawFetch(api.baseUrl, '/health/ready');
  expect(expectProblem(ready, 503, 'SERVICE_UNAVAILABLE').detail).toBe('Not ready: database unreachable.');
  const down = await login();
  const problem = expectProblem(down, 503, 'DATABASE_UNAVAILABLE');
  expect(down.headers.get('retry-after')).toBe('5');
  expect(JSON.stringify(problem)).not.toMatch(/ECONN|127\.0\.0\.1|postgres|stack|select/i);
  expect((await rawFetch(api.baseUrl, '/health/live')).status).toBe(200);

  await proxy.restore();

  let status = 0;
  for (let i = 0; i < 50 && status !== 200; i++) {
    status = (await rawFetch(api.baseUrl, '/health/ready')).status;
    if (status !== 200) await new Promise((resolve) => setTimeout(resolve, 200));
  }
  expect(status).toBe(200);
  expect((await login()).status).toBe(401);
  const admin = await api.adminClient();
  expect((await admin.GET('/v1/users/me')).response.status).toBe(200);
});

it('turns an unexpected database error into a 500 that shows no SQL, stack or driver text', async () => {
  // Schema drift behind the app's back: inserts into users now violate a constraint the
  // code knows nothing about.
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString: api.db.url });
  await client.connect();
  try {
    await client.query('alter table users add column drift_marker integer not null default 0');
    await client.query('alter table users alter column drift_marker drop default');
  } finally {
    await client.end();
  }
  const response = await rawFetch(api.baseUrl, '/v1/auth/register', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: 'drift@example.com', password: 'long enough password' }),
  });
  const problem = expectProblem(response, 500, 'INTERNAL_ERROR');
  expect(problem.detail).toBe('An unexpected error occurred. It has been logged; quote the requestId when reporting it.');
  expect(Object.keys(problem).sort()).toEqual(['code', 'detail', 'instance', 'requestId', 'status', 'title', 'type']);
  expect(JSON.stringify(problem)).not.toMatch(/drift_marker|insert|null value|users|at \w+ \(/i);
});
