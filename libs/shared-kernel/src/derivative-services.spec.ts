import type { Actor } from './actor.js';
import type { Clock } from './clock.port.js';
import {
  DerivativeAccess,
  DerivativeJobs,
  type DerivativeKind,
  DerivativeShares,
  type DerivativeStore,
  type DerivedRecord,
} from './derivative-services.js';
import type { EnqueueOptions, JobQueue } from './job-queue.port.js';

/** The noun's not-found error. */
class GoneError extends Error {}

interface Thing extends DerivedRecord {
  status: 'queued' | 'ready';
}

const OWNER: Actor = { userId: 'owner', role: 'user' };
const ADMIN: Actor = { userId: 'admin', role: 'admin' };
const STRANGER: Actor = { userId: 'stranger', role: 'user' };
const AT = new Date('2026-03-04T05:06:07.000Z');

const KIND: DerivativeKind = {
  share: 'tileset',
  channel: 'tilesets',
  // A job name the kernel does not declare: the payload is what the spec checks.
  job: (id) => ({ name: 'things.make', payload: { thingId: id } }) as unknown as ReturnType<DerivativeKind['job']>,
  notFound: () => new GoneError(),
};

class Things implements DerivativeStore<Thing> {
  readonly rows = new Map<string, Thing>();
  async findById(id: string) {
    return this.rows.get(id) ?? null;
  }
  async findQueued(limit: number) {
    return [...this.rows.values()].filter((row) => row.status === 'queued').slice(0, limit);
  }
  async raiseShareEpoch(id: string, at: Date) {
    const row = this.rows.get(id);
    if (!row) return false;
    Object.assign(row, { shareEpoch: row.shareEpoch + 1, updatedAt: at });
    return true;
  }
  add(id: string, status: Thing['status'] = 'ready'): Thing {
    const row = { id, ownerId: OWNER.userId, shareEpoch: 0, updatedAt: new Date(0), status };
    this.rows.set(id, row);
    return row;
  }
}

/** Records what is sent, as pg-boss's singleton key would: one waiting job per key and name. */
class RecordingQueue {
  readonly sent: { name: string; payload: unknown; options?: EnqueueOptions }[] = [];
  async enqueue(name: string, payload: unknown, options?: EnqueueOptions) {
    if (this.sent.some((job) => job.name === name && job.options?.singletonKey === options?.singletonKey)) return null;
    this.sent.push({ name, payload, options });
    return String(this.sent.length);
  }
}

const clock: Clock = { now: () => AT };

describe('DerivativeAccess', () => {
  const things = new Things();
  things.add('a');
  const access = new DerivativeAccess(things, KIND);

  it('gives the owner read and write, an admin read only', async () => {
    await expect(access.readable(OWNER, 'a')).resolves.toMatchObject({ id: 'a' });
    await expect(access.writable(OWNER, 'a')).resolves.toMatchObject({ id: 'a' });
    await expect(access.readable(ADMIN, 'a')).resolves.toMatchObject({ id: 'a' });
    await expect(access.writable(ADMIN, 'a')).rejects.toBeInstanceOf(GoneError);
  });

  it("answers someone else's exactly as a missing one: the noun's not-found error", async () => {
    await expect(access.readable(STRANGER, 'a')).rejects.toBeInstanceOf(GoneError);
    await expect(access.writable(STRANGER, 'a')).rejects.toBeInstanceOf(GoneError);
    await expect(access.readable(OWNER, 'missing')).rejects.toBeInstanceOf(GoneError);
  });
});

describe('DerivativeShares', () => {
  function setup() {
    const things = new Things();
    const revoked: string[] = [];
    const shares = new DerivativeShares(new DerivativeAccess(things, KIND), things, clock, KIND, (id) =>
      revoked.push(id),
    );
    return { things, revoked, shares };
  }

  it("grants the noun's share at the current epoch, to the owner only", async () => {
    const { things, shares } = setup();
    things.add('a').shareEpoch = 3;
    await expect(shares.grant(OWNER, 'a')).resolves.toEqual({ share: 'tileset', id: 'a', epoch: 3 });
    await expect(shares.grant(ADMIN, 'a')).rejects.toBeInstanceOf(GoneError);
  });

  it('revokes every link by raising the epoch, then tells this process', async () => {
    const { things, revoked, shares } = setup();
    const row = things.add('a');
    await shares.revokeAll(OWNER, 'a');
    expect(row).toMatchObject({ shareEpoch: 1, updatedAt: AT });
    expect(revoked).toEqual(['a']);
    await expect(shares.grant(OWNER, 'a')).resolves.toMatchObject({ epoch: 1 });
  });

  it('answers not found when the record went between the check and the raise, telling no one', async () => {
    const { things, revoked, shares } = setup();
    things.add('a');
    const raise = things.raiseShareEpoch.bind(things);
    things.raiseShareEpoch = (id, at) => (things.rows.delete(id), raise(id, at));
    await expect(shares.revokeAll(OWNER, 'a')).rejects.toBeInstanceOf(GoneError);
    expect(revoked).toEqual([]);
  });

  it("refuses a stranger's revocation without raising the epoch", async () => {
    const { things, shares } = setup();
    const row = things.add('a');
    await expect(shares.revokeAll(STRANGER, 'a')).rejects.toBeInstanceOf(GoneError);
    expect(row.shareEpoch).toBe(0);
  });
});

describe('DerivativeJobs', () => {
  it("sends the noun's job with the record's id as singleton key", async () => {
    const queue = new RecordingQueue();
    const jobs = new DerivativeJobs(new Things(), queue as unknown as JobQueue, KIND);
    await jobs.enqueue('a');
    await jobs.enqueue('a');
    expect(queue.sent).toEqual([{ name: 'things.make', payload: { thingId: 'a' }, options: { singletonKey: 'a' } }]);
  });

  it('requeues exactly the queued records, a job each, and counts them', async () => {
    const things = new Things();
    things.add('q1', 'queued');
    things.add('r', 'ready');
    things.add('q2', 'queued');
    const queue = new RecordingQueue();
    const jobs = new DerivativeJobs(things, queue as unknown as JobQueue, KIND);
    await expect(jobs.requeueQueued()).resolves.toBe(2);
    expect(queue.sent.map((job) => job.payload)).toEqual([{ thingId: 'q1' }, { thingId: 'q2' }]);
    // Run again (the reconciler's next tick): the waiting jobs' keys make it a no-op.
    await expect(jobs.requeueQueued()).resolves.toBe(2);
    expect(queue.sent).toHaveLength(2);
  });
});
