import type { MikroORM } from '@mikro-orm/postgresql';
import { type OrmOnTestDatabase, ormOnTestDatabase } from '#testing';
import { PgRateLimitCounters } from './pg-rate-limit-counters.js';

/** The shared counters on real PostgreSQL: sums, windows, and increments racing each other. */
let orm: MikroORM;
let database: OrmOnTestDatabase;
let counters: PgRateLimitCounters;
beforeAll(async () => {
  database = await ormOnTestDatabase('tessera_counters');
  ({ orm } = database);
  counters = new PgRateLimitCounters(orm.em);
});
afterAll(async () => {
  await database?.close();
});

it('adds to several keys in one statement and returns their totals', async () => {
  await counters.add([{ key: 'a', hits: 1, windowMs: 60_000 }]);
  const states = await counters.add([
    { key: 'a', hits: 4, windowMs: 60_000 },
    { key: 'b', hits: 2, windowMs: 60_000 },
  ]);
  expect(states.get('a')!.hits).toBe(5);
  expect(states.get('b')!.hits).toBe(2);
  expect(states.get('a')!.windowEndsAt).toBeGreaterThan(Date.now() + 50_000);
});

it('starts a new window once the last one ended, and sweeps ended ones', async () => {
  await counters.add([{ key: 'short', hits: 3, windowMs: 200 }]);
  await new Promise((done) => setTimeout(done, 300));
  expect((await counters.add([{ key: 'short', hits: 1, windowMs: 200 }])).get('short')!.hits).toBe(1);
  await new Promise((done) => setTimeout(done, 300));
  expect(await counters.sweep()).toBeGreaterThanOrEqual(1);
});

it('loses no hit when many callers add at once', async () => {
  await Promise.all(Array.from({ length: 40 }, () => counters.add([{ key: 'raced', hits: 1, windowMs: 60_000 }])));
  expect((await counters.add([{ key: 'raced', hits: 0, windowMs: 60_000 }])).get('raced')!.hits).toBe(40);
});
