import { SharedKernelError } from './domain-error.js';

/**
 * Runs `work` over `items` with at most `limit` at a time. On the first failure no new item
 * is started; the work under way is waited for, then the first failure is thrown (so that a
 * caller cleaning up after a failure never races work still reading what it removes).
 */
export async function forEachLimited<T>(
  items: readonly T[],
  limit: number,
  work: (item: T, index: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  let failed = false;
  const lane = async () => {
    while (!failed && next < items.length) {
      const index = next++;
      try {
        await work(items[index], index);
      } catch (error) {
        failed = true;
        throw error;
      }
    }
  };
  const lanes = await Promise.allSettled(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, lane));
  const failure = lanes.find((result) => result.status === 'rejected');
  if (failure) throw failure.reason;
}

/** Every place to wait is taken: the caller should come back later (503 with Retry-After). */
export class ServerBusyError extends SharedKernelError {
  readonly code = 'SERVER_BUSY';
  override readonly retryable = true;
  constructor(what: string, retryAfterSeconds: number) {
    super(`Too many ${what} are under way or waiting on this server; retry in ${retryAfterSeconds} s.`, {
      retryAfterSeconds,
    });
  }
}

export interface SemaphoreOptions {
  /** Most tasks waiting for a turn; one more is refused with ServerBusyError. Default: no bound. */
  maxWaiting?: number;
  /** What the tasks are, for the busy error ("IIIF renders"). */
  what?: string;
  /** What the busy error tells the client to wait. */
  retryAfterSeconds?: number;
  /** Longest a task may wait for its turn before it is refused as busy. Default: no bound. */
  maxWaitSeconds?: number;
}

/**
 * At most `limit` tasks run at once; the others wait their turn, first come first served,
 * up to `maxWaiting` of them (then ServerBusyError). A waiting task whose signal aborts
 * leaves the line at once and never runs.
 */
export class Semaphore {
  private running = 0;
  private readonly waiting: { start: () => void }[] = [];

  constructor(
    private readonly limit: number,
    private readonly options: SemaphoreOptions = {},
  ) {}

  /** Tasks running and waiting now. */
  get load(): { running: number; waiting: number } {
    return { running: this.running, waiting: this.waiting.length };
  }

  /** Refuses now, with the busy error `run` would throw, when every place to run or wait is taken. */
  throwIfFull(): void {
    if (this.full) throw this.busy();
  }

  private get full(): boolean {
    return this.running >= this.limit && this.waiting.length >= (this.options.maxWaiting ?? Infinity);
  }

  private busy(): ServerBusyError {
    return new ServerBusyError(this.options.what ?? 'tasks', this.options.retryAfterSeconds ?? 5);
  }

  async run<T>(task: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    signal?.throwIfAborted();
    if (this.running >= this.limit) {
      this.throwIfFull();
      await new Promise<void>((resolve, reject) => {
        const entry = {
          start: () => {
            signal?.removeEventListener('abort', aborted);
            clearTimeout(timer);
            resolve();
          },
        };
        const leave = (reason: Error) => {
          const at = this.waiting.indexOf(entry);
          if (at >= 0) this.waiting.splice(at, 1);
          signal?.removeEventListener('abort', aborted);
          clearTimeout(timer);
          reject(reason);
        };
        const aborted = () => leave(signal!.reason as Error);
        const { maxWaitSeconds } = this.options;
        const timer =
          maxWaitSeconds === undefined ? undefined : setTimeout(() => leave(this.busy()), maxWaitSeconds * 1000);
        signal?.addEventListener('abort', aborted, { once: true });
        this.waiting.push(entry);
      });
    } else this.running++;
    try {
      return await task();
    } finally {
      const next = this.waiting.shift();
      if (next) next.start();
      else this.running--;
    }
  }
}
