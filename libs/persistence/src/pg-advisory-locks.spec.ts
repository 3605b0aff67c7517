import pg from 'pg';
import { AppConfig, loadConfig } from '#config';
import { LockTimeoutError } from '#shared-kernel';
import { createTestDatabase, type TestDatabase } from '#testing';
import { DatabaseOutage } from './database-outage.js';
import { PgAdvisoryLocks } from './pg-advisory-locks.js';
import { CHANGE_CHANNELS, PgChangeFeed } from './pg-change-feed.js';

/**
 * The shared locks on real PostgreSQL, two "processes" (two lock services with their own
 * connections and change feeds) on one database.
 */
let db: TestDatabase;
let config: AppConfig;
const started: Array<{ feed: PgChangeFeed; locks: PgAdvisoryLocks }> = [];

async function start() {
  const feed = new PgChangeFeed(config, new DatabaseOutage());
  await feed.onModuleInit();
  const locks = new PgAdvisoryLocks(config, feed);
  locks.onModuleInit();
  started.push({ feed, locks });
  return locks;
}

async function stop({ feed, locks }: { feed: PgChangeFeed; locks: PgAdvisoryLocks }) {
  await locks.onApplicationShutdown();
  await feed.onApplicationShutdown();
}

beforeAll(async () => {
  db = await createTestDatabase('tessera_locks');
  config = loadConfig({ DATABASE_URL: db.url, LOG_LEVEL: 'silent' });
});
afterAll(async () => {
  for (const each of started) await stop(each);
  await db?.drop();
});

async function admin<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: db.url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

it('hands a lock from one process to another: the holder is asked, the waiter gets it on release', async () => {
  const [a, b] = [await start(), await start()];
  let asked!: () => void;
  const askedNow = new Promise<void>((resolve) => (asked = resolve));
  const held = await a.acquire('upload:1', { timeoutMs: 5_000, onReleaseRequested: () => asked() });
  const waiting = b.acquire('upload:1', { timeoutMs: 30_000 });
  await askedNow; // heard over NOTIFY from the other process
  await held.release();
  const next = await waiting;
  await next.release();
});

it('takes a lock only if free without asking the holder, when told to be quiet (a sweep)', async () => {
  const [a, b] = [await start(), await start()];
  const feedOfA = started.at(-2)!.feed;
  let asks = 0;
  let asked!: () => void;
  const askedNow = new Promise<void>((resolve) => (asked = resolve));
  const held = await a.acquire('upload:6', { timeoutMs: 5_000, onReleaseRequested: () => (asks++, asked()) });
  await expect(b.acquire('upload:6', { timeoutMs: 0, quiet: true })).rejects.toThrow(LockTimeoutError);
  // Notifications arrive in the order they were sent: once A hears one sent after the quiet
  // try, it has heard anything that try sent.
  const heard = new Promise<void>((resolve) => {
    const stop = feedOfA.subscribe('locks', (key) => key === 'after-the-quiet-try' && (stop(), resolve()));
  });
  await admin((client) => client.query('select pg_notify($1, $2)', [CHANGE_CHANNELS.locks, 'after-the-quiet-try']));
  await heard;
  expect(asks).toBe(0);
  // Not quiet: the holder is asked.
  await expect(b.acquire('upload:6', { timeoutMs: 0 })).rejects.toThrow(LockTimeoutError);
  await askedNow;
  expect(asks).toBe(1);
  await held.release();
});

it('gives up when the time is up, or at once when the waiter leaves', async () => {
  const locks = await start();
  const held = await locks.acquire('upload:2', { timeoutMs: 1_000 });
  const other = await start();
  await expect(other.acquire('upload:2', { timeoutMs: 100 })).rejects.toThrow(/not free within 100 ms/);
  const leaving = new AbortController();
  const waiting = other.acquire('upload:2', { timeoutMs: 30_000, signal: leaving.signal });
  leaving.abort(new Error('client left'));
  await expect(waiting).rejects.toThrow('client left');
  await held.release();
});

it('lives through the server ending its idle connections, then locks again', async () => {
  const locks = await start();
  await (await locks.acquire('upload:3', { timeoutMs: 1_000 })).release(); // leaves an idle connection
  const ended = await admin(async (client) => {
    const { rowCount } = await client.query(
      `select pg_terminate_backend(pid) from pg_stat_activity
        where datname = current_database() and application_name = 'tessera-locks' and state = 'idle'`,
    );
    return rowCount;
  });
  expect(ended).toBeGreaterThan(0);
  // Before the fix an idle pool connection's error was an unheard 'error' event: the process died.
  const again = await locks.acquire('upload:3', { timeoutMs: 5_000 });
  await again.release();
});

it('asks the holder to finish when the server ends the connection holding its lock', async () => {
  const locks = await start();
  let asked!: () => void;
  const askedNow = new Promise<void>((resolve) => (asked = resolve));
  const held = await locks.acquire('upload:5', { timeoutMs: 1_000, onReleaseRequested: () => asked() });
  await admin((client) =>
    client.query(
      `select pg_terminate_backend(pid) from pg_stat_activity
        where datname = current_database() and application_name = 'tessera-locks' and state = 'idle'`,
    ),
  );
  await askedNow; // the lock went with its connection; before the fix the process died here
  await held.release(); // resolves: the broken connection is dropped
  const other = await start();
  await (await other.acquire('upload:5', { timeoutMs: 5_000 })).release();
});

it('opens no connection once shut down', async () => {
  const each = { feed: new PgChangeFeed(config, new DatabaseOutage()), locks: undefined as unknown as PgAdvisoryLocks };
  await each.feed.onModuleInit();
  each.locks = new PgAdvisoryLocks(config, each.feed);
  each.locks.onModuleInit();
  await stop(each);
  await expect(each.locks.acquire('upload:4', { timeoutMs: 1_000 })).rejects.toThrow(/shut down/);
});
