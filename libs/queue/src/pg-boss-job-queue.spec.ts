import pg from 'pg';
import { loadConfig } from '#config';
import { DomainError, NoMetrics } from '#shared-kernel';
import { createTestDatabase, type TestDatabase } from '#testing';
import { DatabaseOutage } from '#persistence';
import { tileJobPolicies } from '#tiles';
import { PgBossJobQueue } from './pg-boss-job-queue.js';

/** The queue adapter against the real PostgreSQL (pg-boss on a throwaway `_test` database). */
class BadInput extends DomainError {
  readonly code = 'BAD_INPUT';
  constructor() {
    super('will never work');
  }
}

let db: TestDatabase;
let queue: PgBossJobQueue;
beforeAll(async () => {
  db = await createTestDatabase('tessera_queue');
  queue = new PgBossJobQueue(
    loadConfig({ DATABASE_URL: db.url, JOB_RETRY_LIMIT: '2', JOB_RETRY_DELAY_SECONDS: '1', LOG_LEVEL: 'silent' }),
    new DatabaseOutage(),
    new NoMetrics(),
  );
  await queue.onModuleInit();
  queue.declare({
    'test.ok': { singleton: false, timeoutSeconds: 60 },
    'test.permanent': { singleton: false, timeoutSeconds: 60 },
    'test.transient': { singleton: false, timeoutSeconds: 60 },
  });
});
afterAll(async () => {
  await queue?.beforeApplicationShutdown();
  await db?.drop();
});

async function jobState(id: string): Promise<{ state: string; retry_count: number }> {
  const client = new pg.Client({ connectionString: db.url });
  await client.connect();
  try {
    return (await client.query('select state, retry_count from pgboss.job where id = $1', [id])).rows[0];
  } finally {
    await client.end();
  }
}

const until = async (check: () => Promise<boolean>, ms = 20_000) => {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 100));
  }
};

declare module '#shared-kernel' {
  interface JobMap {
    'test.ok': { n: number };
    'test.permanent': { n: number };
    'test.transient': { n: number };
    'test.backlog': { n: number };
    'test.undeclared': { n: number };
    'test.woken': { n: number };
    'test.stale': { n: number };
  }
}

it('delivers the payload and completes the job', async () => {
  const seen: unknown[] = [];
  await queue.work('test.ok', async (payload, meta) => void seen.push({ payload, attempt: meta.attempt }));
  const id = (await queue.enqueue('test.ok', { n: 1 }))!;
  await until(async () => (await jobState(id)).state === 'completed');
  expect(seen).toEqual([{ payload: { n: 1 }, attempt: 1 }]);
});

it('fails a job whose handler throws a DomainError at once, without retries', async () => {
  let runs = 0;
  await queue.work('test.permanent', async () => {
    runs++;
    throw new BadInput();
  });
  const id = (await queue.enqueue('test.permanent', { n: 1 }))!;
  await until(async () => (await jobState(id))?.state === 'failed');
  await new Promise((r) => setTimeout(r, 2500)); // a retry would have run by now
  expect(runs).toBe(1);
});

it('retries other errors with backoff, flagging the last attempt', async () => {
  const attempts: { attempt: number; last: boolean }[] = [];
  await queue.work('test.transient', async (_payload, meta) => {
    attempts.push({ attempt: meta.attempt, last: meta.isLastAttempt });
    throw new Error('flaky');
  });
  const id = (await queue.enqueue('test.transient', { n: 1 }))!;
  await until(async () => (await jobState(id))?.state === 'failed', 30_000);
  expect(attempts).toEqual([
    { attempt: 1, last: false },
    { attempt: 2, last: false },
    { attempt: 3, last: true },
  ]);
});

it('keeps one waiting tiling job per tile set (the singleton policy the tiles module declares)', async () => {
  queue.declare(tileJobPolicies({ tilingTimeoutSeconds: 60 }));
  const first = await queue.enqueue('tiles.generate', { tileSetId: 'a' }, { singletonKey: 'a' });
  const again = await queue.enqueue('tiles.generate', { tileSetId: 'a' }, { singletonKey: 'a' });
  const other = await queue.enqueue('tiles.generate', { tileSetId: 'b' }, { singletonKey: 'b' });
  expect(first).toBeTruthy();
  expect(again).toBeNull();
  expect(other).toBeTruthy();
});

it('refuses a job nobody declared, naming it', async () => {
  await expect(queue.enqueue('test.undeclared', { n: 1 })).rejects.toThrow(/test\.undeclared was never declared/);
});

/**
 * A second instance polling once a minute, with `name` declared on both: what it does well
 * within that minute was not found by its poll. Stopped afterwards.
 */
async function withSlowPoller(name: 'test.woken' | 'test.backlog', use: (slow: PgBossJobQueue) => Promise<void>) {
  const slow = new PgBossJobQueue(
    loadConfig({ DATABASE_URL: db.url, QUEUE_POLL_SECONDS: '60', LOG_LEVEL: 'silent' }),
    new DatabaseOutage(),
    new NoMetrics(),
  );
  await slow.onModuleInit();
  try {
    const policies = { [name]: { singleton: false, timeoutSeconds: 60 } };
    slow.declare(policies);
    queue.declare(policies);
    await use(slow);
  } finally {
    await slow.beforeApplicationShutdown();
  }
}

it('wakes a waiting worker as soon as a job is queued, not at its next poll (LISTEN/NOTIFY)', async () => {
  await withSlowPoller('test.woken', async (slow) => {
    const seen: number[] = [];
    await slow.work('test.woken', async (payload) => void seen.push(payload.n));
    await new Promise((r) => setTimeout(r, 1500)); // past the worker's first fetch
    const id = (await queue.enqueue('test.woken', { n: 7 }))!; // queued by another instance
    await until(async () => (await jobState(id))?.state === 'completed', 30_000);
    expect(seen).toEqual([7]);
  });
});

it('drains a backlog job after job, not one job per poll interval', async () => {
  // Four jobs already waiting (no notification will come): each fetched as soon as the one
  // before ended, not a minute later.
  await withSlowPoller('test.backlog', async (slow) => {
    const ids = await Promise.all([1, 2, 3, 4].map(async (n) => (await queue.enqueue('test.backlog', { n }))!));
    const seen: number[] = [];
    await slow.work('test.backlog', async (payload) => void seen.push(payload.n));
    await until(async () => (await Promise.all(ids.map(jobState))).every((job) => job.state === 'completed'), 30_000);
    expect(seen.sort()).toEqual([1, 2, 3, 4]);
  });
});

it('brings a queue made with other settings up to date (notify, retries)', async () => {
  const policies = { 'test.stale': { singleton: false, timeoutSeconds: 60 } } as const;
  const instance = async (retries: string) => {
    const q = new PgBossJobQueue(
      loadConfig({ DATABASE_URL: db.url, JOB_RETRY_LIMIT: retries, LOG_LEVEL: 'silent' }),
      new DatabaseOutage(),
      new NoMetrics(),
    );
    await q.onModuleInit();
    q.declare(policies);
    await q.enqueue('test.stale', { n: 1 }); // makes (or finds) the queue
    await q.beforeApplicationShutdown();
  };
  const client = new pg.Client({ connectionString: db.url });
  await client.connect();
  const row = async () =>
    (await client.query(`select notify, retry_limit from pgboss.queue where name = 'test.stale'`)).rows[0];
  try {
    // Made by an earlier version: other retries, no notify.
    await instance('9');
    await client.query(`update pgboss.queue set notify = false where name = 'test.stale'`);
    expect(await row()).toEqual({ notify: false, retry_limit: 9 });
    await instance('2');
    expect(await row()).toEqual({ notify: true, retry_limit: 2 });
  } finally {
    await client.end();
  }
});

it('sends a job within a transaction: it exists only if that transaction commits', async () => {
  const client = new pg.Client({ connectionString: db.url });
  await client.connect();
  const within = { executeSql: (text: string, values?: unknown[]) => client.query(text, values) };
  try {
    await client.query('begin');
    const rolledBack = await queue.enqueue('test.ok', { n: 41 }, { within });
    expect(rolledBack).toEqual(expect.any(String));
    await client.query('rollback');
    expect(await jobState(rolledBack!)).toBeUndefined();

    await client.query('begin');
    const committed = await queue.enqueue('test.ok', { n: 42 }, { within });
    // Not visible to anyone else before the commit.
    expect(await jobState(committed!)).toBeUndefined();
    await client.query('commit');
    expect(await jobState(committed!)).toMatchObject({ state: expect.any(String) });
  } finally {
    await client.end();
  }
});
