import { forEachLimited } from './concurrency.js';

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
