import { mkdtemp, rm } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabase, type TestDatabase } from '#testing';
import { API, assertBuilt, listeningPort, MIGRATE, run, waitFor, WORKER } from './support/processes.js';

/**
 * The built apps as real processes (npm test builds dist/ first): start-up validation,
 * the worker's lifecycle, graceful shutdown of the API.
 */
beforeAll(assertBuilt);

const freePort = () =>
  new Promise<number>((done) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => done(port));
    });
  });

let db: TestDatabase;
let dataDir: string;
/** Env every run gets: its own database and data directories, never the repository's ./data. */
const base = () => ({
  DATABASE_URL: db.url,
  STORAGE_LOCAL_ROOT: join(dataDir, 'storage'),
  UPLOAD_TMP_DIR: join(dataDir, 'tmp'),
});
beforeAll(async () => {
  db = await createTestDatabase('tessera_proc');
  dataDir = await mkdtemp(join(tmpdir(), 'tessera-proc-'));
});
afterAll(async () => {
  await db?.drop();
  await rm(dataDir, { recursive: true, force: true });
});

describe('start-up configuration', () => {
  it('refuses to start on a bad variable, naming it, with exit code 78', async () => {
    const api = run(API, { ...base(), PORT: 'not-a-port', JWT_ACCESS_TTL_SECONDS: '5' });
    const { code } = await api.exited;
    expect(code).toBe(78);
    expect(api.output()).toContain('PORT must be a whole number (got "not-a-port")');
    expect(api.output()).toContain('JWT_ACCESS_TTL_SECONDS must be at least 60');
    // A module's own variable (the renditions module parses it) fails the same way, before anything starts.
    const presets = run(API, { ...base(), RENDITION_PRESETS: 'thumb:320:gif' });
    expect((await presets.exited).code).toBe(78);
    expect(presets.output()).toContain('RENDITION_PRESETS "thumb:320:gif" is not name:size:format');
  });
});

describe('worker', () => {
  it('refuses to start on a database the API has not migrated, saying what to do', async () => {
    const worker = run(WORKER, base());
    expect((await worker.exited).code).toBe(1);
    expect(worker.output()).toMatch(/The database is not migrated \(\d+ pending: Migration\w+/);
    expect(worker.output()).toContain('npm run migrate');
  });

  it('boots once migrated, connects to the queue, and stops cleanly on SIGTERM', async () => {
    const migrate = run(MIGRATE, base());
    expect((await migrate.exited).code).toBe(0);
    expect(migrate.output()).toContain('Applied');
    const metricsPort = await freePort();
    const worker = run(WORKER, {
      ...base(),
      METRICS_TOKEN: 'worker-metrics-token-123',
      METRICS_WORKER_PORT: String(metricsPort),
      HOST: '127.0.0.1',
    });
    await waitFor(worker, 'Tessera worker ready');
    expect(worker.output()).toContain('Job queue connected');
    // Its own metrics, for its own scraper only.
    const scrape = (token?: string) =>
      fetch(`http://127.0.0.1:${metricsPort}/metrics`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
    expect((await scrape()).status).toBe(401);
    const metrics = await scrape('worker-metrics-token-123');
    expect(metrics.status).toBe(200);
    expect(await metrics.text()).toContain('tessera_queue_jobs');
    worker.child.kill('SIGTERM');
    expect(await worker.exited).toEqual({ code: 0, signal: null });
    expect(worker.output()).toContain('Job queue stopped');
  });
});

describe('API process', () => {
  it('starts on the migrated database, serves, and on SIGTERM stops cleanly', async () => {
    const api = run(API, { ...base(), PORT: '0', HOST: '127.0.0.1', ADMIN_PASSWORD: 'process test admin pw' });
    await waitFor(api, 'Tessera API listening on');
    expect((await fetch(`http://127.0.0.1:${listeningPort(api)}/health/ready`)).status).toBe(200);
    api.child.kill('SIGTERM');
    expect(await api.exited).toEqual({ code: 0, signal: null });
    expect(api.output()).toContain('Job queue stopped');
  });

  it('shows a generated first password once, as a block (not in the JSON logs), and warns when ADMIN_PASSWORD comes too late', async () => {
    const db2 = await createTestDatabase('tessera_proc');
    try {
      const env = { ...base(), DATABASE_URL: db2.url, PORT: '0', HOST: '127.0.0.1' };
      const first = run(API, env);
      await waitFor(first, 'Tessera API listening on');
      await waitFor(first, /\+-+\+\n\n/);
      const password = /\|\s+password\s+(\S+)\s+\|/.exec(first.output())?.[1];
      expect(password).toMatch(/^[\w-]{24}$/);
      expect(first.output()).toContain('npm run admin -- reset-password admin@tessera.local');
      expect(first.output()).toMatch(/Sign in to the web app at http:\/\/127\.0\.0\.1:\d+\/app, or in Swagger UI/);
      const jsonLines = first
        .output()
        .split('\n')
        .filter((line) => line.startsWith('{'));
      expect(jsonLines.length).toBeGreaterThan(10);
      expect(jsonLines.filter((line) => line.includes(password!))).toEqual([]);
      const login = await fetch(`http://127.0.0.1:${listeningPort(first)}/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: 'admin@tessera.local', password }),
      });
      expect(login.status).toBe(200);
      first.child.kill('SIGTERM');
      await first.exited;

      const later = run(API, { ...env, ADMIN_PASSWORD: 'set after the first start' });
      await waitFor(later, 'Tessera API listening on');
      expect(later.output()).toContain('ADMIN_PASSWORD is set, but an admin already exists, so it was not applied');
      expect(later.output()).not.toContain('An admin account was created');
      later.child.kill('SIGTERM');
      await later.exited;
    } finally {
      await db2.drop();
    }
  });

  it('runs as a cluster with API_PROCESSES=2: one port, one login-token key, a killed process replaced, one clean stop', async () => {
    const db3 = await createTestDatabase('tessera_proc');
    try {
      const api = run(API, {
        ...base(),
        DATABASE_URL: db3.url,
        PORT: '0',
        HOST: '127.0.0.1',
        API_PROCESSES: '2',
        ADMIN_PASSWORD: 'cluster test admin pw',
        LOG_LEVEL: 'debug', // a line per request, with the pid that answered it
      });
      await waitFor(api, 'Tessera API: 2 processes listening on');
      const port = listeningPort(api);
      const login = await fetch(`http://127.0.0.1:${port}/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: 'admin@tessera.local', password: 'cluster test admin pw' }),
      });
      expect(login.status).toBe(200);
      const { accessToken } = (await login.json()) as { accessToken: string };
      // A new connection each: the primary hands connections out in turn, so both processes
      // answer, and each accepts the token (the key kept in the database is the same for all).
      const statuses = await Promise.all(Array.from({ length: 8 }, () => statusOn(port, '/v1/users/me', accessToken)));
      expect(statuses).toEqual(Array.from({ length: 8 }, () => 200));
      // Each process logs its requests on its own: wait until all eight lines have arrived.
      const served = (output: string) =>
        output.split('\n').filter((line) => line.includes('"url":"/v1/users/me"') && line.includes('"statusCode":200'));
      await waitFor(api, (output) => served(output).length >= 8);
      const pids = new Set(served(api.output()).map((line) => (JSON.parse(line) as { pid: number }).pid));
      expect(pids.size).toBe(2);

      const [victim] = [...pids];
      process.kill(victim, 'SIGKILL');
      await waitFor(api, /exited \(SIGKILL\); starting another in 1 s/);
      await waitFor(api, /(2 processes listening on[\s\S]*){2}/);
      expect(await statusOn(port, '/v1/users/me', accessToken)).toBe(200);

      api.child.kill('SIGTERM');
      expect(await api.exited).toEqual({ code: 0, signal: null });
      expect(api.output()).toContain('stopping 2 API processes gracefully');
      for (const pid of pids) expect(() => process.kill(pid, 0)).toThrow();
    } finally {
      await db3.drop();
    }
  });
});

describe('one supervised API process (API_PROCESSES=1)', () => {
  it('starts it again when it is killed (as the OOM killer would), and stops cleanly', async () => {
    const db4 = await createTestDatabase('tessera_proc');
    const api = run(API, {
      ...base(),
      DATABASE_URL: db4.url,
      PORT: '0',
      HOST: '127.0.0.1',
      API_PROCESSES: '1',
      ADMIN_PASSWORD: 'supervised admin pw',
      LOG_LEVEL: 'debug',
    });
    try {
      await waitFor(api, 'Tessera API: 1 process listening on');
      const port = listeningPort(api);
      // A logged request (health checks are not), to learn which pid answered.
      expect(await statusOn(port, '/v1/users/me', 'none')).toBe(401);
      await waitFor(api, '"url":"/v1/users/me"');
      const served = api
        .output()
        .split('\n')
        .find((line) => line.includes('"url":"/v1/users/me"'));
      const victim = (JSON.parse(served!) as { pid: number }).pid;
      expect(victim).not.toBe(api.child.pid); // a process of its own, under the primary
      process.kill(victim, 'SIGKILL');
      await waitFor(api, /exited \(SIGKILL\); starting another in 1 s/);
      await waitFor(api, /(1 process listening on[\s\S]*){2}/);
      // With PORT=0 the new process gets a port of its own (the primary let go of the old one
      // with its last process); with a fixed PORT it is the same.
      const again = [...api.output().matchAll(/1 process listening on http:\/\/[^:]+:(\d+)/g)].at(-1)![1];
      expect(await statusOn(Number(again), '/v1/users/me', 'none')).toBe(401);
      api.child.kill('SIGTERM');
      expect(await api.exited).toEqual({ code: 0, signal: null });
    } finally {
      // A failed expectation must not leave the processes running (jest would never exit).
      if (api.child.exitCode === null && api.child.signalCode === null) {
        api.child.kill('SIGTERM');
        await api.exited;
      }
      await db4.drop();
    }
  });
});

/** The status of a GET on a connection of its own. */
function statusOn(port: number, path: string, token: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: '127.0.0.1', port, path, agent: false, headers: { authorization: `Bearer ${token}` } },
      (res) => {
        res.resume();
        resolve(res.statusCode!);
      },
    );
    req.on('error', reject);
    req.end();
  });
}
