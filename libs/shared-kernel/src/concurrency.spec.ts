import { forEachLimited, Semaphore, ServerBusyError } from './concurrency.js';

describe('forEachLimited', () => {
  it('runs every item, never more than the limit at once', async () => {
    let running = 0;
    let most = 0;
    const done: number[] = [];
    await forEachLimited([1, 2, 3, 4, 5, 6, 7], 3, async (item) => {
      running++;
      most = Math.max(most, running);
      await new Promise((resolve) => setTimeout(resolve, 5));
      done.push(item);
      running--;
    });
    expect(done.sort()).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(most).toBe(3);
  });

  it('after a failure starts nothing new, and rejects only once the work under way has ended', async () => {
    const started: number[] = [];
    let slowEnded = false;
    const outcome = forEachLimited([0, 1, 2, 3, 4, 5], 2, async (item) => {
      started.push(item);
      if (item === 0) throw new Error('first fails');
      await new Promise((resolve) => setTimeout(resolve, 30));
      slowEnded = true;
    });
    await expect(outcome).rejects.toThrow('first fails');
    // Item 1 was under way and was waited for; nothing after the failure was started.
    expect(slowEnded).toBe(true);
    expect(started).toEqual([0, 1]);
  });
});

describe('Semaphore', () => {
  /** A task that runs until released. */
  const held = () => {
    let release!: () => void;
    const done = new Promise<void>((resolve) => (release = resolve));
    return { task: () => done, release };
  };

  it('runs at most `limit` at once, then queues up to maxWaiting and refuses the next as busy', async () => {
    const slots = new Semaphore(2, { maxWaiting: 1, what: 'renders', retryAfterSeconds: 7 });
    const [a, b, c] = [held(), held(), held()];
    const running = [slots.run(a.task), slots.run(b.task)];
    const waiting = slots.run(c.task);
    expect(slots.load).toEqual({ running: 2, waiting: 1 });
    const refused = slots.run(async () => 'never');
    await expect(refused).rejects.toBeInstanceOf(ServerBusyError);
    await expect(refused).rejects.toMatchObject({ code: 'SERVER_BUSY', details: { retryAfterSeconds: 7 } });
    a.release();
    await running[0];
    expect(slots.load).toEqual({ running: 2, waiting: 0 }); // the waiting one took the place
    b.release();
    c.release();
    await Promise.all([running[1], waiting]);
    expect(slots.load).toEqual({ running: 0, waiting: 0 });
  });

  it('drops a waiting task whose signal aborts: it never runs and frees its place in line', async () => {
    const slots = new Semaphore(1, { maxWaiting: 1 });
    const first = held();
    const running = slots.run(first.task);
    const gone = new AbortController();
    let ran = false;
    const waiting = slots.run(async () => {
      ran = true;
    }, gone.signal);
    gone.abort(new Error('client went away'));
    await expect(waiting).rejects.toThrow('client went away');
    expect(slots.load).toEqual({ running: 1, waiting: 0 });
    const next = slots.run(async () => 'next'); // the freed place in line
    first.release();
    await running;
    await expect(next).resolves.toBe('next');
    expect(ran).toBe(false);
  });

  it('refuses a task whose signal has already aborted', async () => {
    const slots = new Semaphore(1);
    await expect(slots.run(async () => 1, AbortSignal.abort(new Error('gone')))).rejects.toThrow('gone');
    expect(slots.load).toEqual({ running: 0, waiting: 0 });
  });
});
