import { execFile } from 'node:child_process';
import { chmod, cp, mkdtemp, readFile, rm, writeFile, appendFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import pino from 'pino';
import type { EmbeddedPostgresServer } from '#persistence';

/** Throwaway data: durability costs time and buys nothing here. */
const FAST = { fsync: 'off', synchronous_commit: 'off', full_page_writes: 'on', max_connections: '100' };

export interface ReplicaServer {
  name: string;
  server: EmbeddedPostgresServer;
  /** URL of `database` on this standby. */
  url(database: string): string;
  /** The standby's postmaster pid (for a real kill -9). */
  pid(): Promise<number>;
  /** Runs SQL on the standby (read-only: pause or resume WAL replay, read positions). */
  query<T extends pg.QueryResultRow>(sql: string, database?: string): Promise<T[]>;
}

export interface ReplicatedServers {
  primary: EmbeddedPostgresServer;
  replicas: ReplicaServer[];
  /** Creates a database on the primary (the standbys get it through replication). */
  createDatabase(name: string): Promise<string>;
  /** Resolves once every live standby has replayed everything the primary has written so far. */
  caughtUp(replicas?: ReplicaServer[]): Promise<void>;
  close(): Promise<void>;
}

/**
 * A real PostgreSQL primary (the embedded server's binaries) with `count` physical streaming
 * standbys, each made from a base backup taken with the low-level backup API (the embedded
 * binaries have no pg_basebackup): pg_backup_start, a copy of the data directory,
 * pg_backup_stop's backup_label, standby.signal and primary_conninfo on its own replication
 * slot. Everything lives in one temporary directory, removed on close.
 */
export async function startReplicatedServers(count: number): Promise<ReplicatedServers> {
  const root = await mkdtemp(join(tmpdir(), 'tessera-replicas-'));
  // As root the servers run as user `postgres`, who must enter the directory.
  await chmod(root, 0o755);
  const log = pino({ level: process.env.TEST_LOG_LEVEL ?? 'warn' });
  // Loaded here: every suite imports #testing, and #persistence brings the ORM with it.
  const { EmbeddedPostgresServer } = await import('#persistence');
  const started: EmbeddedPostgresServer[] = [];
  try {
    const primary = await EmbeddedPostgresServer.open({
      dir: join(root, 'primary'),
      port: 0,
      log,
      settings: { ...FAST, wal_level: 'replica', max_wal_senders: '10', max_replication_slots: '10' },
    });
    started.push(primary);
    const replicas: ReplicaServer[] = [];
    for (let i = 1; i <= count; i++) {
      const name = `replica${i}`;
      const dir = join(root, name);
      await baseBackup(primary, dir, name);
      const server = await EmbeddedPostgresServer.open({ dir, port: 0, log, settings: { ...FAST, hot_standby: 'on' } });
      started.push(server);
      replicas.push(replicaServer(name, server));
    }
    const stopped = new Set<ReplicaServer>();
    return {
      primary,
      replicas,
      createDatabase: async (database) => {
        await primary.ensureDatabase(database);
        return primary.url(database);
      },
      caughtUp: async (which = replicas) => {
        const [{ lsn }] = await query<{ lsn: string }>(
          primary.url('postgres'),
          'select pg_current_wal_insert_lsn() as lsn',
        );
        for (const replica of which) {
          if (stopped.has(replica)) continue;
          // Replay is an event on the standby: poll its position until it passes the primary's.
          for (;;) {
            const [{ behind }] = await replica.query<{ behind: boolean }>(
              `select pg_last_wal_replay_lsn() < '${lsn}'::pg_lsn as behind`,
            );
            if (!behind) break;
            await new Promise((done) => setTimeout(done, 20));
          }
        }
      },
      close: async () => {
        for (const server of started.reverse()) await server.close().catch(() => undefined);
        await rm(root, { recursive: true, force: true });
      },
    };
  } catch (error) {
    for (const server of started.reverse()) await server.close().catch(() => undefined);
    await rm(root, { recursive: true, force: true });
    throw error;
  }
}

/** What a base backup leaves out (PostgreSQL's documented list, plus Tessera's owner file). */
const SKIPPED_FILES = new Set(['postmaster.pid', 'postmaster.opts', 'tessera-owner.pid', 'backup_label.old']);
/** Directories copied empty (pg_wal's segments come over the replication slot instead). */
const EMPTIED_DIRS = new Set([
  'pg_wal',
  'pg_replslot',
  'pg_dynshmem',
  'pg_notify',
  'pg_serial',
  'pg_snapshots',
  'pg_stat_tmp',
  'pg_subtrans',
]);
const KEPT_IN_EMPTIED = new Set(['pg_wal/archive_status', 'pg_wal/summaries']);

function copiedToBackup(relative: string): boolean {
  const top = relative.split('/')[0];
  if (SKIPPED_FILES.has(relative)) return false;
  if (EMPTIED_DIRS.has(top)) return relative === top || KEPT_IN_EMPTIED.has(relative);
  return !relative.split('/').includes('pgsql_tmp');
}

async function baseBackup(primary: EmbeddedPostgresServer, dir: string, slot: string): Promise<void> {
  const client = new pg.Client({ connectionString: primary.url('postgres') });
  client.on('error', () => undefined);
  await client.connect();
  try {
    await client.query('select pg_create_physical_replication_slot($1, true)', [slot]);
    await client.query('select pg_backup_start($1, true)', [slot]);
    await cp(primary.dir, dir, {
      recursive: true,
      filter: (source) => source === primary.dir || copiedToBackup(relative(primary.dir, source)),
    });
    const { rows } = await client.query<{ labelfile: string }>('select labelfile from pg_backup_stop(true)');
    await writeFile(join(dir, 'backup_label'), rows[0].labelfile);
  } finally {
    await client.end();
  }
  const password = (JSON.parse(await readFile(join(dir, 'tessera.json'), 'utf8')) as { password: string }).password;
  await writeFile(join(dir, 'standby.signal'), '');
  const conninfo = `host=127.0.0.1 port=${primary.port} user=postgres password=${password} application_name=${slot}`;
  await appendFile(
    join(dir, 'postgresql.auto.conf'),
    `primary_conninfo = '${conninfo}'\nprimary_slot_name = '${slot}'\n`,
  );
  if (process.getuid?.() === 0) {
    // The copy is root's: give it to the user the server runs as, private as initdb made it.
    await promisify(execFile)('chown', ['-R', 'postgres:postgres', dir]);
  }
  await chmod(dir, 0o700);
}

function replicaServer(name: string, server: EmbeddedPostgresServer): ReplicaServer {
  return {
    name,
    server,
    url: (database) => server.url(database),
    pid: async () => Number((await readFile(join(server.dir, 'postmaster.pid'), 'utf8')).split('\n')[0]),
    query: (sql, database = 'postgres') => query(server.url(database), sql),
  };
}

async function query<T extends pg.QueryResultRow>(url: string, sql: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  client.on('error', () => undefined);
  await client.connect();
  try {
    return (await client.query<T>(sql)).rows;
  } finally {
    await client.end();
  }
}
