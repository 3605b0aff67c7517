import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabase, type TestDatabase } from '#testing';

/**
 * The built apps as real processes (npm test builds dist/ first): start-up validation,
 * the worker's lifecycle, graceful shutdown of the API.
 */
const API = 'dist/apps/api/src/main.js';
const WORKER = 'dist/apps/worker/src/main.js';
const MIGRATE = 'dist/libs/persistence/src/cli/migrate.js';

beforeAll(() => {
  if (!existsSync(API) || !existsSync(WORKER)) throw new Error('dist/ is missing: run `npm run build` first (npm test does).');
});

interface Run {
  child: ChildProcess;
  output: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function run(script: string, env: Record<string, string>): Run {
  // Only what the app needs: no developer .env leaks in (the cwd has none in CI anyway).
  const child = spawn(process.execPath, [script], {
    env: { PATH: process.env.PATH ?? '', NODE_ENV: 'test', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  return { child, output: () => output, exited };
}

async function waitFor(r: Run, text: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!r.output().includes(text)) {
    if (r.child.exitCode !== null) throw new Error(`exited early (${r.child.exitCode}):\n${r.output()}`);
    if (Date.now() > deadline) throw new Error(`timed out waiting for "${text}":\n${r.output()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

let db: TestDatabase;
let dataDir: string;
/** Env every run gets: its own database and data directories, never the repository's ./data. */
const base = () => ({ DATABASE_URL: db.url, STORAGE_LOCAL_ROOT: join(dataDir, 'storage'), UPLOAD_TMP_DIR: join(dataDir, 'tmp') });
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
    const worker = run(WORKER, base());
    await waitFor(worker, 'Tessera worker ready');
    expect(worker.output()).toContain('Job queue connected');
    worker.child.kill('SIGTERM');
    expect(await worker.exited).toEqual({ code: 0, signal: null });
    expect(worker.output()).toContain('Job queue stopped');
  });
});

describe('API process', () => {
  it('starts on the migrated database, serves, and on SIGTERM stops cleanly', async () => {
    const api = run(API, { ...base(), PORT: '0', HOST: '127.0.0.1', ADMIN_PASSWORD: 'process test admin pw' });
    await waitFor(api, 'Tessera API listening on');
    const port = /listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(api.output())?.[1];
    expect(port).toBeDefined();
    expect((await fetch(`http://127.0.0.1:${port}/health/ready`)).status).toBe(200);
    api.child.kill('SIGTERM');
    expect(await api.exited).toEqual({ code: 0, signal: null });
    expect(api.output()).toContain('Job queue stopped');
  });
});
