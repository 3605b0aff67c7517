import { Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import pg from 'pg';
import { AppConfig } from '#config';
import { ChangeFeed, type HeldLock, type LockOptions, LockTimeoutError, SharedLocks } from '#shared-kernel';
import { CHANGE_CHANNELS } from './pg-change-feed.js';

/** How often a waiter tries again (a release also wakes it through the change feed). */
const RETRY_MS = 50;
/** Locks held at once by this process: each holds a connection of its own. */
const MAX_HELD = 16;

/**
 * SharedLocks on PostgreSQL session advisory locks (`pg_try_advisory_lock` on a 64-bit hash of
 * the key), each held on a connection of its own from a small pool for as long as it is held
 * (a waiter takes one only to try):
 * a process that dies releases its locks with its connections. A waiter asks the holder to
 * let go (NOTIFY on the `locks` channel, heard by every process) and tries again until it
 * gets the lock, its signal aborts or its time is up.
 */
@Injectable()
export class PgAdvisoryLocks extends SharedLocks implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(PgAdvisoryLocks.name);
  private pool?: pg.Pool;
  /** Locks this process holds: key -> who to ask to let go. */
  private readonly holders = new Map<string, Set<() => void>>();
  private readonly waiters = new Set<() => void>();
  private unsubscribe?: () => void;
  private stopped = false;

  constructor(
    private readonly config: AppConfig,
    private readonly changes: ChangeFeed,
  ) {
    super();
  }

  onModuleInit(): void {
    this.unsubscribe = this.changes.subscribe('locks', (key) => {
      if (key === undefined) return;
      for (const ask of this.holders.get(key) ?? []) ask();
      if (key.startsWith('released:')) for (const wake of [...this.waiters]) wake();
    });
  }

  async onApplicationShutdown(): Promise<void> {
    this.unsubscribe?.();
    this.stopped = true;
    await this.pool?.end().catch(() => undefined);
  }

  private connections(): pg.Pool {
    // No pool opened after shutdown: nothing would end it.
    if (this.stopped) throw new Error('The lock service has shut down.');
    if (this.pool) return this.pool;
    this.pool = new pg.Pool({
      connectionString: this.config.DATABASE_URL,
      application_name: 'tessera-locks',
      max: MAX_HELD,
      idleTimeoutMillis: 30_000,
    });
    // An idle connection the server ends (a restart, a terminated backend) is dropped by the
    // pool and reported here; unheard, pg-pool's 'error' event would end the process.
    this.pool.on('error', (error) => this.logger.warn(`idle lock connection lost: ${error.message}`));
    return this.pool;
  }

  async acquire(key: string, { signal, timeoutMs, onReleaseRequested, quiet }: LockOptions): Promise<HeldLock> {
    signal?.throwIfAborted();
    const deadline = Date.now() + timeoutMs;
    let asked = false;
    let stale = false;
    let client: pg.PoolClient;
    for (;;) {
      // A connection only while trying and while holding: waiters do not hold the pool.
      client = await this.connections().connect();
      try {
        const { rows } = await client.query<{ locked: boolean }>(
          'select pg_try_advisory_lock(hashtextextended($1, 0)) as locked',
          [key],
        );
        if (rows[0].locked) break;
        if (!asked && !quiet) {
          asked = true;
          await client.query('select pg_notify($1, $2)', [CHANGE_CHANNELS.locks, key]);
        }
      } catch (error) {
        client.release(error as Error);
        // A pooled connection the server ended while idle fails its first query before the pool
        // hears of it: one more try on a fresh connection.
        if (stale) throw error;
        stale = true;
        continue;
      }
      client.release();
      if (Date.now() >= deadline) throw new LockTimeoutError(key, timeoutMs);
      await this.pause(Math.min(RETRY_MS, deadline - Date.now()), signal);
    }
    const asks = this.holders.get(key) ?? new Set<() => void>();
    const ask = () => onReleaseRequested?.();
    asks.add(ask);
    this.holders.set(key, asks);
    // The lock lives with this connection. If the server ends it (a restart, a terminated
    // backend), the lock is gone: the holder is asked to finish. Heard here, since a checked-out
    // client's 'error' event has no other listener and would end the process.
    const lost = (error: Error) => {
      this.logger.warn(`connection holding lock ${key} lost: ${error.message}`);
      ask();
    };
    client.on('error', lost);
    let released = false;
    return {
      release: async () => {
        if (released) return;
        released = true;
        asks.delete(ask);
        if (asks.size === 0) this.holders.delete(key);
        try {
          await client.query('select pg_advisory_unlock(hashtextextended($1, 0))', [key]);
          await client.query('select pg_notify($1, $2)', [CHANGE_CHANNELS.locks, `released:${key}`]);
          client.off('error', lost);
          client.release();
        } catch (error) {
          // A broken connection: dropped (its listener with it), which frees the lock too.
          client.release(error as Error);
        }
      },
    };
  }

  /** Waits `ms`, less if a lock is released meanwhile; rejects when `signal` aborts. */
  private pause(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      // Aborted while trying: an abort listener added now would never fire.
      if (signal?.aborted) return reject(signal.reason as Error);
      const done = () => {
        clearTimeout(timer);
        this.waiters.delete(done);
        signal?.removeEventListener('abort', aborted);
        resolve();
      };
      const aborted = () => {
        clearTimeout(timer);
        this.waiters.delete(done);
        reject(signal!.reason as Error);
      };
      const timer = setTimeout(done, Math.max(0, ms));
      this.waiters.add(done);
      signal?.addEventListener('abort', aborted, { once: true });
    });
  }
}
