import { AsyncLocalStorage } from 'node:async_hooks';
import { Injectable, Logger, type OnApplicationShutdown, Optional } from '@nestjs/common';
import pg from 'pg';
import { AppConfig } from '#config';
import { Metrics, NoMetrics } from '#shared-kernel';
import { parseLsn, ReplicaPositions, type ReplicaStatus } from './replica-positions.js';

interface ReadScope {
  /** Writes made by this time (local clock) must be visible; undefined: none in particular. */
  notBefore: number | undefined;
  /** The replica this scope's reads use once chosen (one per scope), or the primary. */
  target?: number | 'primary';
}

/** A user's writes as this process saw them. */
interface Writer {
  inFlight: number;
  /** When the last one ended (local clock). */
  lastEnded: number;
}

/** At most a second, and a quarter of the maximum lag (a replica is not dropped between two checks). */
const checkIntervalMs = (maxLagSeconds: number) => Math.min(1_000, (maxLagSeconds * 1_000) / 4);
const CHECK_TIMEOUT_MS = 2_000;

/**
 * Read replicas (DATABASE_REPLICA_URLS): which reads may go to one, and which one.
 *
 * - Only reads inside a stale-OK scope (`staleOk`: lists, searches, share pages,
 *   descriptors) that ask for a `read` connection go to a replica; every other
 *   query (writes, auth checks, jobs, reads before a write) uses the primary.
 * - A replica is used only while it answers as a standby and is within
 *   DATABASE_REPLICA_MAX_LAG_SECONDS (ReplicaPositions, checked every second); and, for a
 *   reader who has written, only once it has replayed past the end of that reader's last
 *   write (read-your-own-writes), otherwise the primary answers.
 * - A replica that fails a read is marked down at once and the read is retried on the
 *   primary: a replica stopped mid-run costs one retry, never an error to the user.
 */
@Injectable()
export class ReadReplicas implements OnApplicationShutdown {
  private readonly logger = new Logger(ReadReplicas.name);
  private readonly scopes = new AsyncLocalStorage<ReadScope>();
  private readonly writers = new Map<string, Writer>();
  private readonly positions: ReplicaPositions;
  private readonly names: string[];
  private primary?: pg.Pool;
  private pools: pg.Pool[] = [];
  private timer?: NodeJS.Timeout;
  private checked: (() => void)[] = [];
  private stopped = false;
  private readonly warned = new Set<number>();

  private readonly metrics: Metrics;

  constructor(
    private readonly config: AppConfig,
    // Absent from the CLIs' modules: nothing to report there.
    @Optional() metrics?: Metrics,
  ) {
    this.metrics = metrics ?? new NoMetrics();
    this.names = config.DATABASE_REPLICA_URLS.map((_, i) => `replica${i + 1}`);
    this.positions = new ReplicaPositions(this.names, config.DATABASE_REPLICA_MAX_LAG_SECONDS * 1_000);
  }

  get enabled(): boolean {
    return this.names.length > 0;
  }

  /**
   * Starts checking the replicas (once; a no-op without any). Called where stale-OK reads are
   * made (the API); a worker or a CLI never asks the replicas anything.
   */
  monitor(): void {
    if (!this.enabled || this.primary || this.stopped) return;
    const pool = (url: string, name: string) => {
      const created = new pg.Pool({
        connectionString: url,
        max: 1,
        application_name: `tessera-replica-check`,
        connectionTimeoutMillis: CHECK_TIMEOUT_MS,
        query_timeout: CHECK_TIMEOUT_MS,
        idleTimeoutMillis: 0,
      });
      // A server that goes away must not take the process with it (the next check reports it).
      created.on('error', (error) => this.logger.debug(`${name}: ${error.message}`));
      return created;
    };
    this.primary = pool(this.config.DATABASE_URL, 'primary');
    this.pools = this.config.DATABASE_REPLICA_URLS.map((url, i) => pool(url, this.names[i]));
    this.config.DATABASE_REPLICA_URLS.forEach((url, i) => {
      const { hostname, port, pathname } = new URL(url);
      this.logger.log(`${this.names[i]}: ${hostname}:${port || 5432}${pathname} (reads that may lag)`);
    });
    this.metrics.gauge('db_replica_up', async () =>
      this.positions.status().map(({ name, up }) => ({ labels: { replica: name }, value: up ? 1 : 0 })),
    );
    this.metrics.gauge('db_replica_lag_seconds', async () =>
      this.positions
        .status()
        .filter((s) => s.lagSeconds !== undefined)
        .map(({ name, lagSeconds }) => ({ labels: { replica: name }, value: lagSeconds! })),
    );
    void this.loop();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    for (const done of this.checked.splice(0)) done();
    const pools = this.primary ? [this.primary, ...this.pools] : this.pools;
    await Promise.all(pools.map((pool) => pool.end().catch(() => undefined)));
  }

  /** Each replica as last checked. */
  status(): ReplicaStatus[] {
    return this.positions.status();
  }

  /** Resolves after the next check of every replica (tests and tools wait on this event). */
  nextCheck(): Promise<void> {
    this.monitor();
    return new Promise((done) => (this.stopped || !this.enabled ? done() : this.checked.push(done)));
  }

  /**
   * Runs `work` in a stale-OK scope for `readerId` (undefined: anonymous, e.g. a share link):
   * the reads it makes through `read` may go to a replica that has every write `readerId`
   * made through this process (none while one is still under way).
   */
  staleOk<T>(readerId: string | undefined, work: () => T): T {
    if (!this.enabled) return work();
    const writer = readerId === undefined ? undefined : this.writers.get(readerId);
    return this.scopes.run(
      { notBefore: writer ? (writer.inFlight > 0 ? Infinity : writer.lastEnded) : undefined },
      work,
    );
  }

  /**
   * For repositories: runs `work`, whose queries ask for a `read` connection. Inside a
   * stale-OK scope they may go to a replica, one that also has every write made by
   * `notBefore` when given (e.g. the last change to the record this process heard of);
   * elsewhere they go to the primary. A replica that fails the read is marked down and the
   * read runs again on the primary.
   */
  async read<T>(work: () => Promise<T>, notBefore?: number): Promise<T> {
    const outer = this.scopes.getStore();
    if (!outer) return work();
    const scope = notBefore !== undefined && notBefore > (outer.notBefore ?? -Infinity) ? { notBefore } : outer;
    try {
      return await (scope === outer ? work() : this.scopes.run(scope, work));
    } catch (error) {
      const target = scope.target;
      const failure = typeof target === 'number' ? replicaFailure(error) : undefined;
      if (failure === undefined) throw error;
      if (failure === 'unavailable') {
        // The replica went away under the read: the primary answers, the next check re-admits it.
        this.positions.replicaDown(target as number);
        this.logger.warn(
          `${this.names[target as number]} failed a read (${(error as Error).message}); reading from the primary`,
        );
      }
      this.metrics.count('db_replica_fallbacks', { reason: 'error' });
      scope.target = 'primary';
      return this.scopes.run(scope, work);
    }
  }

  /**
   * Marks `writerId` as writing until the returned function is called: their stale-OK reads
   * go to the primary meanwhile, and afterwards until a replica has replayed past the end.
   */
  writing(writerId: string): () => void {
    if (!this.enabled) return () => undefined;
    const writer = this.writers.get(writerId) ?? { inFlight: 0, lastEnded: 0 };
    writer.inFlight++;
    this.writers.set(writerId, writer);
    let ended = false;
    return () => {
      if (ended) return;
      ended = true;
      writer.inFlight--;
      writer.lastEnded = Date.now();
    };
  }

  /**
   * For the driver: which replica a `read` query of the current scope uses (undefined: the
   * primary). One per scope, so that one answer is read from one server.
   */
  readTarget(): number | undefined {
    const scope = this.scopes.getStore();
    if (!scope) return undefined;
    if (scope.target === undefined) {
      const choice = this.positions.choose(scope.notBefore);
      scope.target = 'index' in choice ? choice.index : 'primary';
      this.metrics.count('db_stale_ok_reads', { target: scope.target === 'primary' ? 'primary' : 'replica' });
      if ('fallback' in choice) this.metrics.count('db_replica_fallbacks', { reason: choice.fallback });
    }
    return scope.target === 'primary' ? undefined : scope.target;
  }

  private async loop(): Promise<void> {
    if (this.stopped) return;
    await this.check().catch((error: Error) => {
      // The primary did not answer: nothing to compare with; replicas keep their last state.
      if (!this.stopped) this.logger.warn(`Replica check failed: ${error.message}`);
    });
    for (const done of this.checked.splice(0)) done();
    this.pruneWriters();
    if (!this.stopped) {
      this.timer = setTimeout(() => void this.loop(), checkIntervalMs(this.config.DATABASE_REPLICA_MAX_LAG_SECONDS));
    }
  }

  private async check(): Promise<void> {
    const at = Date.now();
    const { rows } = await this.primary!.query<{ lsn: string }>('select pg_current_wal_insert_lsn()::text as lsn');
    this.positions.primaryAt(at, parseLsn(rows[0].lsn));
    await Promise.all(
      this.pools.map(async (pool, index) => {
        const wasUp = this.positions.isUp(index);
        try {
          const {
            rows: [row],
          } = await pool.query<{ standby: boolean; replayed: string | null }>(
            'select pg_is_in_recovery() as standby, pg_last_wal_replay_lsn()::text as replayed',
          );
          if (!row?.standby || !row.replayed) throw new Error('it is not a standby (promoted, or the primary itself)');
          this.positions.replicaAt(index, parseLsn(row.replayed));
          if (!wasUp) this.logger.log(`${this.names[index]} answers as a standby`);
        } catch (error) {
          this.positions.replicaDown(index);
          if (wasUp || !this.warned.has(index)) {
            this.warned.add(index);
            this.logger.warn(`${this.names[index]} is skipped: ${(error as Error).message}`);
          }
        }
      }),
    );
  }

  /** Writes older than twice the maximum lag no longer decide anything. */
  private pruneWriters(): void {
    const horizon = Date.now() - 2 * this.config.DATABASE_REPLICA_MAX_LAG_SECONDS * 1_000;
    for (const [id, writer] of this.writers)
      if (writer.inFlight === 0 && writer.lastEnded < horizon) this.writers.delete(id);
  }
}

/**
 * Whether a replica's error asks for the primary instead: `unavailable` (no connection, or
 * the server is shutting down), `conflict` (a query cancelled by replay: the replica is fine),
 * undefined (anything else: the same query would fail on the primary too).
 */
function replicaFailure(error: unknown): 'unavailable' | 'conflict' | undefined {
  const code = (error as { code?: unknown } | undefined)?.code;
  const message = String((error as Error | undefined)?.message);
  if (code === '40001' && /conflict with recovery/.test(message)) return 'conflict';
  // SQLSTATE class 08 (connection) and 57P (shutdown), or a socket error (ECONNREFUSED...).
  if (typeof code === 'string' && /^(08|57P|E[A-Z]+$)/.test(code)) return 'unavailable';
  return /Connection terminated|timeout exceeded when trying to connect/i.test(message) ? 'unavailable' : undefined;
}
