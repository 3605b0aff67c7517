import { parseLsn, ReplicaPositions } from './replica-positions.js';

describe('parseLsn', () => {
  it('reads PostgreSQL WAL positions as byte counts', () => {
    expect(parseLsn('0/0')).toBe(0n);
    expect(parseLsn('0/16B3748')).toBe(0x16b3748n);
    expect(parseLsn('16/B374D848')).toBe((0x16n << 32n) + 0xb374d848n);
    expect(parseLsn('1/0') > parseLsn('0/FFFFFFFF')).toBe(true);
  });

  it.each(['', '16', '16/', 'x/1', '1/2/3', '123456789/0', '1/0; drop table users'])('refuses %j', (text) => {
    expect(() => parseLsn(text)).toThrow('Not a WAL position');
  });
});

describe('ReplicaPositions', () => {
  let now: number;
  const positions = (names = ['replica1', 'replica2'], maxLagMs = 5_000) =>
    new ReplicaPositions(names, maxLagMs, () => now);

  beforeEach(() => (now = 1_000_000));

  it('uses no replica before it has answered a check', () => {
    expect(positions().choose()).toEqual({ fallback: 'down' });
  });

  it('takes turns among replicas within the lag', () => {
    const p = positions();
    p.primaryAt(now, 100n);
    p.replicaAt(0, 100n);
    p.replicaAt(1, 120n);
    expect([p.choose(), p.choose(), p.choose()]).toEqual([{ index: 0 }, { index: 1 }, { index: 0 }]);
    expect(p.status()).toEqual([
      { name: 'replica1', up: true, lagSeconds: 0 },
      { name: 'replica2', up: true, lagSeconds: 0 },
    ]);
  });

  it("measures lag as the age of the newest primary position a replica has reached, whatever the servers' clocks", () => {
    const p = positions();
    p.primaryAt(now, 100n);
    now += 1_000;
    p.primaryAt(now, 200n);
    now += 1_000;
    p.primaryAt(now, 300n);
    p.replicaAt(0, 250n); // has everything written before the second sample, not the third
    p.replicaAt(1, 300n);
    expect(p.status().map((s) => s.lagSeconds)).toEqual([1, 0]);
    // An idle primary does not make a caught-up replica look behind.
    now += 60_000;
    p.primaryAt(now, 300n);
    p.replicaAt(1, 300n);
    expect(p.status()[1].lagSeconds).toBe(0);
  });

  it('skips a replica further behind than the maximum lag, and takes it back once it catches up', () => {
    const p = positions(['replica1']);
    p.primaryAt(now, 100n);
    p.replicaAt(0, 100n);
    now += 5_001;
    p.primaryAt(now, 200n);
    p.replicaAt(0, 100n); // replay stopped
    expect(p.choose()).toEqual({ fallback: 'lagging' });
    expect(p.status()[0].lagSeconds).toBeCloseTo(5.001);
    p.replicaAt(0, 200n);
    expect(p.choose()).toEqual({ index: 0 });
  });

  it('counts a replica behind every remembered sample as lagging', () => {
    const p = positions(['replica1'], 1_000);
    p.primaryAt(now, 100n);
    now += 10_000;
    p.primaryAt(now, 200n);
    p.replicaAt(0, 50n);
    expect(p.status()[0]).toEqual({ name: 'replica1', up: true, lagSeconds: undefined });
    expect(p.choose()).toEqual({ fallback: 'lagging' });
  });

  it('skips a replica that is down until it answers again', () => {
    const p = positions();
    p.primaryAt(now, 100n);
    p.replicaAt(0, 100n);
    p.replicaAt(1, 100n);
    p.replicaDown(1);
    expect([p.choose(), p.choose()]).toEqual([{ index: 0 }, { index: 0 }]);
    p.replicaDown(0);
    expect(p.choose()).toEqual({ fallback: 'down' });
    p.replicaAt(1, 100n);
    expect(p.choose()).toEqual({ index: 1 });
  });

  it('sends a read that must see a recent write to a replica past it, else to the primary', () => {
    const p = positions();
    p.primaryAt(now, 100n);
    p.replicaAt(0, 100n);
    p.replicaAt(1, 100n);
    const wrote = now + 10; // a write ended after the last sample
    expect(p.choose(wrote)).toEqual({ fallback: 'recent_write' });
    expect(p.choose(Infinity)).toEqual({ fallback: 'recent_write' }); // a write still under way
    now += 1_000;
    p.primaryAt(now, 150n);
    p.replicaAt(1, 150n);
    expect(p.choose(wrote)).toEqual({ index: 1 });
    expect(p.choose(wrote)).toEqual({ index: 1 });
  });

  it('never moves a replica backwards when old samples are forgotten', () => {
    const p = positions(['replica1'], 1_000);
    p.primaryAt(now, 100n);
    p.replicaAt(0, 100n);
    const before = p.status()[0].lagSeconds;
    now += 500;
    p.primaryAt(now, 200n);
    p.replicaAt(0, 150n);
    expect(p.status()[0].lagSeconds).toBeCloseTo((before ?? 0) + 0.5);
  });
});
