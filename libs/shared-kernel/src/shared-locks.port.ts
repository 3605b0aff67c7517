/** A lock held: release it once the work is done (idempotent). */
export interface HeldLock {
  release(): Promise<void>;
}

export interface LockOptions {
  /** Stop waiting (the caller went away): the acquire rejects with the signal's reason. */
  signal?: AbortSignal;
  /** Longest wait for the lock; then LockTimeoutError. */
  timeoutMs: number;
  /** Called on the holder when someone else asks for the lock (it should finish soon). */
  onReleaseRequested?: () => void;
  /** Do not ask the holder to let go (a sweep that takes only what is free). */
  quiet?: boolean;
}

export class LockTimeoutError extends Error {
  constructor(key: string, ms: number) {
    super(`The lock "${key}" was not free within ${ms} ms`);
    this.name = 'LockTimeoutError';
  }
}

/**
 * Mutual exclusion across every process and instance on the same database (one upload
 * written by one request at a time, wherever requests land). Keys are free text.
 */
export abstract class SharedLocks {
  abstract acquire(key: string, options: LockOptions): Promise<HeldLock>;
}
