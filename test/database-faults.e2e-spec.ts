import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabase, serverUrl, startTcpProxy, type TcpProxy } from '#testing';
import { API, listeningPort, run, waitFor } from './support/processes.js';
import { type ApiHarness, expectProblem, rawFetch, startApi } from './support/api-harness.js';

/**
 * Database faults. PostgreSQL goes away (SECURITY.md item 19): the app reaches it through a TCP proxy that the
 * test cuts, so connections are reset and new ones refused, as with a crashed server. While
 * it is down: 503 problems, no crash, liveness fine. When it is back: recovery, no restart.
 */
let api: ApiHarness;
let proxy: TcpProxy;
beforeAll(async () => {
  proxy = await startTcpProxy(serverUrl().hostname, Number(serverUrl().port || 5432));
  api = await startApi(
    { DATABASE_POOL_MAX: '2' },
    {
      databaseUrl: (url) => {
        const proxied = new URL(url);
        proxied.port = String(proxy.port);
        return proxied.toString();
      },
    },
  );
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
  while (status !== 200) {
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
  expect(problem.detail).toBe(
    'An unexpected error occurred. It has been logged; quote the requestId when reporting it.',
  );
  expect(Object.keys(problem).sort()).toEqual(['code', 'detail', 'instance', 'requestId', 'status', 'title', 'type']);
  expect(JSON.stringify(problem)).not.toMatch(/drift_marker|insert|null value|users|at \w+ \(/i);
});

describe('the logs of an outage (as a real process)', () => {
  // Once 165 lines for 30 s: every queue's poll every second, and every 503.
  it('tells an outage once when it starts and once when it ends, with a count', async () => {
    const db = await createTestDatabase('tessera_outage');
    const dataDir = await mkdtemp(join(tmpdir(), 'tessera-outage-'));
    const dbProxy = await startTcpProxy(serverUrl().hostname, Number(serverUrl().port || 5432));
    const url = new URL(db.url);
    url.port = String(dbProxy.port);
    const api = run(API, {
      DATABASE_URL: url.toString(),
      STORAGE_LOCAL_ROOT: join(dataDir, 'storage'),
      UPLOAD_TMP_DIR: join(dataDir, 'tmp'),
      PORT: '0',
      HOST: '127.0.0.1',
      ADMIN_PASSWORD: 'outage test admin pw',
      QUEUE_SUPERVISE_INTERVAL_SECONDS: '1',
      THROTTLE_AUTH_LIMIT: '1000',
    });
    try {
      await waitFor(api, 'Tessera API listening on');
      const base = `http://127.0.0.1:${listeningPort(api)}`;
      const login = () =>
        fetch(`${base}/v1/auth/login`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ email: 'nobody@example.com', password: 'whatever password' }),
        });
      const before = api.output().length;
      await dbProxy.cut();
      const statuses: number[] = [];
      // Four seconds of outage, and at least eight answers however slow this machine is.
      for (const end = Date.now() + 4_000; Date.now() < end || statuses.length < 8;) {
        statuses.push((await login()).status);
        await new Promise((done) => setTimeout(done, 100));
      }
      expect(statuses.filter((s) => s === 503).length).toBeGreaterThan(5);
      await dbProxy.restore();
      await waitFor(api, 'The database is available again', 20_000);
      expect((await login()).status).toBe(401);

      const lines = api
        .output()
        .slice(before)
        .split('\n')
        .filter((line) => line.startsWith('{'))
        .map((line) => JSON.parse(line) as { level: number; msg: string });
      const loud = lines.filter((line) => line.level >= 40);
      expect(loud.filter((line) => line.msg.startsWith('The database is unavailable'))).toHaveLength(1);
      const recovered = loud.filter((line) => line.msg.startsWith('The database is available again'));
      expect(recovered).toHaveLength(0); // told at info level, below
      expect(lines.filter((line) => line.msg.startsWith('The database is available again'))).toHaveLength(1);
      expect(lines.find((line) => line.msg.startsWith('The database is available again'))!.msg).toMatch(
        /after \d+\.\d s \((\d+) more failures not logged\)/,
      );
      expect(loud.map((line) => line.msg)).toHaveLength(1);
    } finally {
      api.child.kill('SIGTERM');
      await api.exited;
      await dbProxy.close();
      await db.drop();
      await rm(dataDir, { recursive: true, force: true });
    }
  }, 90_000);
});
