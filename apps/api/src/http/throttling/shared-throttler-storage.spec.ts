import { jest } from '@jest/globals';
import { Global, Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { ThrottlerModule } from '@nestjs/throttler';
import { PgRateLimitCounters, type CounterAdd } from '#persistence';
import { SharedThrottlerStorage } from './shared-throttler-storage.js';
import { ThrottlingStorageModule } from './throttling-storage.module.js';

/** Counts the calls that reach the database; the real adapter is covered by its own spec. */
class CountingCounters {
  calls = 0;
  async add(additions: CounterAdd[]) {
    this.calls++;
    return new Map(additions.map((a) => [a.key, { hits: a.hits, windowEndsAt: Date.now() + a.windowMs }]));
  }
  async sweep() {
    this.calls++;
  }
}

/** One shared total per key, answered a moment later, as a database would. */
class SlowSharedCounters {
  readonly totals = new Map<string, number>();
  async add(additions: CounterAdd[]) {
    await new Promise((resolve) => setTimeout(resolve, 5));
    return new Map(
      additions.map((a) => {
        const hits = (this.totals.get(a.key) ?? 0) + a.hits;
        this.totals.set(a.key, hits);
        return [a.key, { hits, windowEndsAt: Date.now() + a.windowMs }];
      }),
    );
  }
  async sweep() {}
}

describe('SharedThrottlerStorage', () => {
  it('lets exactly the limit through when hits arrive while the window is being opened', async () => {
    const counters = new SlowSharedCounters();
    const storage = new SharedThrottlerStorage(counters as unknown as PgRateLimitCounters);
    // Staggered by a millisecond, the way requests released at once reach a server: some
    // arrive before the first hit's round trip returned, some after.
    const records = await Promise.all(
      Array.from({ length: 12 }, async (_, i) => {
        await new Promise((resolve) => setTimeout(resolve, i));
        return storage.increment('k', 60_000, 5, 0, 'tiles');
      }),
    );
    expect(records.filter((r) => !r.isBlocked)).toHaveLength(5);
    expect(records.map((r) => r.totalHits).sort((a, b) => a - b)).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
    await storage.beforeApplicationShutdown();
    expect(counters.totals.get('k')).toBe(12);
  });
});

/** Shared totals whose updates wait until released: a flush caught in its round trip. */
class HeldSharedCounters extends SlowSharedCounters {
  hold?: Promise<void>;
  override async add(additions: CounterAdd[]) {
    await this.hold;
    return super.add(additions);
  }
}

describe('SharedThrottlerStorage while a flush is under way', () => {
  it('still counts the hits being flushed (a burst during the round trip once got past the limit)', async () => {
    const counters = new HeldSharedCounters();
    const storage = new SharedThrottlerStorage(counters as unknown as PgRateLimitCounters);
    for (let i = 0; i < 3; i++) await storage.increment('k', 60_000, 5, 0, 'tiles'); // 1 shared + 2 pending
    let release!: () => void;
    counters.hold = new Promise<void>((resolve) => (release = resolve));
    const flushing = storage['flush']();
    const during = [];
    for (let i = 0; i < 3; i++) during.push(await storage.increment('k', 60_000, 5, 0, 'tiles'));
    expect(during.map((r) => r.totalHits)).toEqual([4, 5, 6]);
    expect(during.map((r) => r.isBlocked)).toEqual([false, false, true]);
    release();
    await flushing;
    expect((await storage.increment('k', 60_000, 5, 0, 'tiles')).totalHits).toBe(7);
    await storage.beforeApplicationShutdown();
    expect(counters.totals.get('k')).toBe(7);
  });
});

describe('SharedThrottlerStorage in a Nest app', () => {
  afterEach(() => jest.useRealTimers());

  it('stops every timer on close, although Nest runs its hooks twice (provider and ThrottlerStorage)', async () => {
    jest.useFakeTimers();
    const counters = new CountingCounters();
    @Global()
    @Module({ providers: [{ provide: PgRateLimitCounters, useValue: counters }], exports: [PgRateLimitCounters] })
    class FakePersistence {}

    const moduleRef = await Test.createTestingModule({
      imports: [
        FakePersistence,
        ThrottlerModule.forRootAsync({
          imports: [ThrottlingStorageModule],
          inject: [SharedThrottlerStorage],
          useFactory: (storage: SharedThrottlerStorage) => ({ storage, throttlers: [{ ttl: 60_000, limit: 10 }] }),
        }),
      ],
    }).compile();
    const app = await moduleRef.createNestApplication().init();
    const storage = moduleRef.get(SharedThrottlerStorage);
    await storage.increment('k', 60_000, 10, 0, 'default');
    await storage.increment('k', 60_000, 10, 0, 'default');

    await jest.advanceTimersByTimeAsync(61_000); // one flush of the pending hit, sweeps
    expect(counters.calls).toBeGreaterThan(1);

    await app.close();
    const afterClose = counters.calls;
    await jest.advanceTimersByTimeAsync(10 * 60_000);
    expect(counters.calls).toBe(afterClose);
  });

  it('flushes pending hits before the application shuts down (while the ORM is still open)', async () => {
    const counters = new CountingCounters();
    const storage = new SharedThrottlerStorage(counters as unknown as PgRateLimitCounters);
    storage.onModuleInit();
    await storage.increment('k', 60_000, 10, 0, 'default');
    await storage.increment('k', 60_000, 10, 0, 'default');
    const before = counters.calls;
    await storage.beforeApplicationShutdown();
    expect(counters.calls).toBe(before + 1);
  });
});
