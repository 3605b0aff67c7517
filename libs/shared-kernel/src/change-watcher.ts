import type { ChangeChannel, ChangeFeed } from './change-feed.port.js';

export interface RecordObserver<T> {
  /** The record as it is now; never an older state than one already given. */
  next(record: T): void;
  /** It was deleted. */
  gone(): void;
  error(error: unknown): void;
}

/** Without notifications (none missed, normally), how often a watched record is re-read anyway. */
const FALLBACK_POLL_MS = 15_000;

/**
 * Follows records of one change-feed channel for live streams without a query per open
 * stream and tick: the database announces each change (whichever process made it); this
 * process reads a changed record once, however many observers watch it, and hands the new
 * state to all of them. A slow poll covers a notification that never came.
 */
export class ChangeWatcher<T extends { updatedAt: Date }> {
  private readonly watched = new Map<string, { observers: Set<RecordObserver<T>>; reading: boolean; again: boolean }>();
  private readonly unsubscribe: () => void;
  private readonly polling: NodeJS.Timeout;

  constructor(
    feed: ChangeFeed,
    channel: ChangeChannel,
    private readonly load: (id: string) => Promise<T | null>,
    private readonly onReadError: (error: unknown, id: string) => void,
  ) {
    this.unsubscribe = feed.subscribe(channel, (id) => {
      if (id !== undefined) this.read(id);
      else for (const watchedId of this.watched.keys()) this.read(watchedId);
    });
    this.polling = setInterval(() => {
      for (const id of this.watched.keys()) this.read(id);
    }, FALLBACK_POLL_MS).unref();
  }

  close(): void {
    this.unsubscribe();
    clearInterval(this.polling);
  }

  /** Calls `observer` with the record now and on every change; returns the unwatch. */
  watch(id: string, observer: RecordObserver<T>): () => void {
    let lastUpdate = -Infinity;
    // Reads can finish out of order: never go back to an older state.
    const guarded: RecordObserver<T> = {
      next: (record) => {
        if (record.updatedAt.getTime() < lastUpdate) return;
        lastUpdate = record.updatedAt.getTime();
        observer.next(record);
      },
      gone: () => observer.gone(),
      error: (error) => observer.error(error),
    };
    const entry = this.watched.get(id) ?? { observers: new Set<RecordObserver<T>>(), reading: false, again: false };
    entry.observers.add(guarded);
    this.watched.set(id, entry);
    this.load(id).then(
      (record) => (record ? guarded.next(record) : guarded.gone()),
      (error: unknown) => guarded.error(error),
    );
    return () => {
      entry.observers.delete(guarded);
      if (entry.observers.size === 0 && this.watched.get(id) === entry) this.watched.delete(id);
    };
  }

  /** One read at a time per record; changes announced meanwhile make one more. */
  private read(id: string): void {
    const entry = this.watched.get(id);
    if (!entry) return;
    if (entry.reading) {
      entry.again = true;
      return;
    }
    entry.reading = true;
    entry.again = false;
    this.load(id)
      .then(
        (record) => {
          for (const observer of [...entry.observers]) {
            if (record) observer.next(record);
            else observer.gone();
          }
        },
        (error: unknown) => this.onReadError(error, id),
      )
      .finally(() => {
        entry.reading = false;
        if (entry.again) this.read(id);
      });
  }
}
