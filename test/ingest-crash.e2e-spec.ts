import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { createTestDatabase, makeJpeg, type TestDatabase } from '#testing';
import { API, assertBuilt, listeningPort, run, type Run, waitFor, WORKER } from './support/processes.js';

/**
 * An API process killed (SIGKILL) after an upload committed and before it asked for the
 * upload's presets. The presets were requested by a job sent in the panorama's own
 * transaction, so a worker started afterwards makes them all the same.
 *
 * To stop the API at exactly that point without a hook in the product, the test holds an
 * EXCLUSIVE lock on `renditions` (reads go on, writes wait): the upload commits, then its
 * first rendition insert waits on the lock, visible in pg_stat_activity. That is the moment
 * of the kill.
 */
beforeAll(assertBuilt);

let db: TestDatabase;
let dataDir: string;
const started: Run[] = [];
beforeAll(async () => {
  db = await createTestDatabase('tessera_ingest');
  dataDir = await mkdtemp(join(tmpdir(), 'tessera-ingest-'));
});
afterAll(async () => {
  for (const r of started) r.child.kill('SIGKILL');
  await Promise.all(started.map((r) => r.exited));
  await db?.drop();
  await rm(dataDir, { recursive: true, force: true });
});

const env = () => ({
  DATABASE_URL: db.url,
  STORAGE_LOCAL_ROOT: join(dataDir, 'storage'),
  UPLOAD_TMP_DIR: join(dataDir, 'tmp'),
  TILING_WORK_DIR: join(dataDir, 'tiling'),
  UPLOAD_RESUMABLE_DIR: join(dataDir, 'resumable'),
  RENDITION_PRESETS: 'thumb:320:webp,preview:1024:jpeg',
  IMAGE_THREADS: '1',
});

/** Polls a query until `done` holds: the condition is the event waited for. */
async function until<T>(what: string, read: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  const deadline = Date.now() + 120_000;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what} (last: ${JSON.stringify(value)})`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

it('makes the presets of an upload whose API process was killed between the commit and the preset request', async () => {
  const api = run(API, {
    ...env(),
    PORT: '0',
    HOST: '127.0.0.1',
    ADMIN_PASSWORD: 'ingest crash admin pw',
    // Nothing consumes jobs until the worker below starts.
    WORKER_EMBEDDED: 'false',
  });
  started.push(api);
  await waitFor(api, 'Tessera API listening on');
  const base = `http://127.0.0.1:${listeningPort(api)}`;
  const login = await fetch(`${base}/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: 'admin@tessera.local', password: 'ingest crash admin pw' }),
  });
  const { accessToken } = (await login.json()) as { accessToken: string };

  const sql = new pg.Client({ connectionString: db.url });
  await sql.connect();
  const blocker = new pg.Client({ connectionString: db.url });
  await blocker.connect();
  try {
    await blocker.query('begin');
    await blocker.query('lock table renditions in exclusive mode');

    const form = new FormData();
    form.set('presets', 'thumb,preview');
    form.set('file', new Blob([new Uint8Array(await makeJpeg(1600, 800))], { type: 'image/jpeg' }), 'alps.jpg');
    const answer = fetch(`${base}/v1/panoramas`, {
      method: 'POST',
      headers: { authorization: `Bearer ${accessToken}` },
      body: form,
    }).then(
      (res) => res.status,
      () => 'no answer' as const,
    );

    await until(
      'the API to wait on the renditions lock',
      async () =>
        (
          await sql.query<{ n: number }>(
            `select count(*)::int as n from pg_stat_activity
              where datname = current_database() and wait_event_type = 'Lock' and query ilike '%renditions%'`,
          )
        ).rows[0].n,
      (n) => n > 0,
    );
    const panoramas = (await sql.query<{ id: string }>('select id from panoramas')).rows;
    expect(panoramas).toHaveLength(1);
    const panoramaId = panoramas[0].id;

    api.child.kill('SIGKILL');
    expect((await api.exited).signal).toBe('SIGKILL');
    expect(await answer).toBe('no answer');
    await blocker.query('commit');
    // Killed before any preset was asked for: nothing but the job stands for them.
    expect((await sql.query('select id from renditions')).rows).toEqual([]);

    const worker = run(WORKER, env());
    started.push(worker);
    await waitFor(worker, 'Tessera worker ready');
    const made = await until(
      'both presets to be rendered',
      async () =>
        (
          await sql.query<{ name: string; status: string; width: number }>(
            'select name, status, width from renditions where panorama_id = $1 order by name',
            [panoramaId],
          )
        ).rows,
      (rows) => rows.length === 2 && rows.every((r) => r.status === 'ready'),
    );
    expect(made).toEqual([
      { name: 'preview', status: 'ready', width: 1024 },
      { name: 'thumb', status: 'ready', width: 320 },
    ]);
    worker.child.kill('SIGTERM');
    expect(await worker.exited).toEqual({ code: 0, signal: null });
  } finally {
    await blocker.end().catch(() => undefined);
    await sql.end();
  }
}, 180_000);
