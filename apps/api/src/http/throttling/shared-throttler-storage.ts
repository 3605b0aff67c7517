import { Injectable, Logger, type BeforeApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import type { ThrottlerStorage } from '@nestjs/throttler';
import { PgRateLimitCounters } from '#persistence';

/** Throttlers counted exactly, one database round trip per request (few requests, guessing). */
export const EXACT_THROTTLERS = new Set(['auth', 'account']);
type ThrottlerStorageRecord = Awaited<ReturnType<ThrottlerStorage['increment']>>;
const FLUSH_MS = 1_000;
const SWEEP_MS = 60_000;

interface LocalCount {
  /** The shared total when last read. */
  shared: number;
  /** Hits of this process not yet added to the shared total. */
  pending: number;
  /** Hits being added by a flush under way: still counted until the new total is read back. */
  inFlight: number;
  windowEndsAt: number;
  windowMs: number;
}

/**
 * Rate-limit counters shared by every API instance (PostgreSQL), so that three instances do
 * not allow three times the limit.
 *
 * - `auth` and `account` (sign-in, sign-up, refresh; per-account sign-in): exact, one
 *   counter update per request.
 * - the others (`default`, `tiles`): counted here and added to the shared counter every
 *   second, the decision taken on shared total + local hits since. Tile requests pay no
 *   round trip; each instance may overshoot by what it sees in one second. The first hit
 *   of a window reads the shared total at once.
 *
 * Windows are fixed (they start with a key's first hit). If PostgreSQL is unreachable the
 * hot categories fall back to counting in this process alone.
 */
@Injectable()
export class SharedThrottlerStorage implements ThrottlerStorage, OnModuleInit, BeforeApplicationShutdown {
  private readonly logger = new Logger('RateLimits');
  private readonly local = new Map<string, LocalCount>();
  /** Windows being opened: hits that arrive meanwhile wait for it instead of opening another. */
  private readonly opening = new Map<string, Promise<LocalCount>>();
  private flushing?: NodeJS.Timeout;
  private sweeping?: NodeJS.Timeout;

  constructor(private readonly counters: PgRateLimitCounters) {}

  // Nest calls these hooks twice on this instance: as our provider and as ThrottlerModule's
  // ThrottlerStorage (the factory's value). Both are idempotent, or the first timers leak and
  // keep querying after the database connection closed (which silently reopens it).
  onModuleInit(): void {
    if (this.flushing) return;
    this.flushing = setInterval(() => void this.flush(), FLUSH_MS).unref();
    this.sweeping = setInterval(() => void this.counters.sweep().catch(() => undefined), SWEEP_MS).unref();
  }

  /** Before, not on, application shutdown: the last flush needs the ORM, which closes then. */
  async beforeApplicationShutdown(): Promise<void> {
    clearInterval(this.flushing);
    clearInterval(this.sweeping);
    await this.flush();
  }

  async increment(
    key: string,
    ttlMs: number,
    limit: number,
    _blockDurationMs: number,
    throttlerName: string,
  ): Promise<ThrottlerStorageRecord> {
    const now = Date.now();
    if (EXACT_THROTTLERS.has(throttlerName)) {
      const state = (await this.counters.add([{ key, hits: 1, windowMs: ttlMs }])).get(key)!;
      return record(state.hits, limit, state.windowEndsAt - now);
    }
    let count = this.local.get(key);
    if (count && count.windowEndsAt > now) {
      count.pending++;
    } else {
      const opening = this.opening.get(key);
      if (opening) {
        count = await opening;
        count.pending++;
      } else {
        const started = this.startWindow(key, ttlMs, now).finally(() => this.opening.delete(key));
        this.opening.set(key, started);
        count = await started;
      }
    }
    return record(count.shared + count.inFlight + count.pending, limit, count.windowEndsAt - Date.now());
  }

  private async startWindow(key: string, windowMs: number, now: number): Promise<LocalCount> {
    let count: LocalCount;
    try {
      const state = (await this.counters.add([{ key, hits: 1, windowMs }])).get(key)!;
      count = { shared: state.hits, pending: 0, inFlight: 0, windowEndsAt: state.windowEndsAt, windowMs };
    } catch {
      count = { shared: 0, pending: 1, inFlight: 0, windowEndsAt: now + windowMs, windowMs };
    }
    this.local.set(key, count);
    return count;
  }

  /** Adds every key's pending hits to the shared counters and reads their totals back. */
  private async flush(): Promise<void> {
    const now = Date.now();
    const batch: { key: string; count: LocalCount; hits: number }[] = [];
    for (const [key, count] of this.local) {
      if (count.windowEndsAt <= now) this.local.delete(key);
      else if (count.pending > 0) batch.push({ key, count, hits: count.pending });
    }
    if (batch.length === 0) return;
    // Moved, not dropped: between here and the total read back, a decision still counts them
    // (they once vanished for one round trip, letting a burst past the limit).
    for (const entry of batch) {
      entry.count.pending -= entry.hits;
      entry.count.inFlight += entry.hits;
    }
    try {
      const states = await this.counters.add(
        batch.map(({ key, count, hits }) => ({ key, hits, windowMs: count.windowMs })),
      );
      for (const { key, count, hits } of batch) {
        count.inFlight -= hits;
        const state = states.get(key);
        if (!state) continue;
        count.shared = state.hits;
        count.windowEndsAt = state.windowEndsAt;
      }
    } catch (error) {
      for (const entry of batch) {
        entry.count.inFlight -= entry.hits;
        entry.count.pending += entry.hits; // kept for the next flush
      }
      this.logger.debug({ err: error }, 'Could not share rate-limit counts; counting locally meanwhile');
    }
  }
}

function record(hits: number, limit: number, msLeft: number): ThrottlerStorageRecord {
  const seconds = Math.max(1, Math.ceil(msLeft / 1000));
  return { totalHits: hits, timeToExpire: seconds, isBlocked: hits > limit, timeToBlockExpire: seconds };
}
