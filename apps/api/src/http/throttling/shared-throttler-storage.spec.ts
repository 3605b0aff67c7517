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
