import {
  applyTransition,
  canTransition,
  type DerivativeLifecycle,
  type DerivativeJob,
  type DerivativeStatus,
  type DerivativeTransitions,
  runDerivativeJob,
  transitionUpdate,
} from './derivative.js';
import { InvalidStorageKeyError, StorageUnavailableError } from './storage/storage.errors.js';

const TRANSITIONS = {
  start: { from: ['queued', 'processing'], to: 'processing' },
  finish: { from: ['processing'], to: 'ready' },
  fail: { from: ['queued', 'processing'], to: 'failed' },
  requeue: { from: ['failed'], to: 'queued' },
  condemn: { from: ['ready'], to: 'failed' },
} as const satisfies DerivativeTransitions;

const AT = new Date('2026-01-02T03:04:05.000Z');

describe('transitionUpdate', () => {
  it('applies from the table, leads to its status and writes the lifecycle fields of the step', () => {
    expect(transitionUpdate(TRANSITIONS, { step: 'start' }, AT)).toEqual({
      from: ['queued', 'processing'],
      set: { status: 'processing', errorCode: null, startedAt: AT, completedAt: null, updatedAt: AT },
    });
    expect(transitionUpdate(TRANSITIONS, { step: 'finish' }, AT).set).toEqual({
      status: 'ready',
      completedAt: AT,
      updatedAt: AT,
    });
    expect(transitionUpdate(TRANSITIONS, { step: 'fail', errorCode: 'CORRUPT_IMAGE' }, AT).set).toEqual({
      status: 'failed',
      errorCode: 'CORRUPT_IMAGE',
      completedAt: AT,
      updatedAt: AT,
    });
    expect(transitionUpdate(TRANSITIONS, { step: 'condemn', errorCode: 'TILES_DAMAGED' }, AT).set).toMatchObject({
      status: 'failed',
      errorCode: 'TILES_DAMAGED',
    });
    expect(transitionUpdate(TRANSITIONS, { step: 'requeue' }, AT).set).toEqual({
      status: 'queued',
      errorCode: null,
      startedAt: null,
      completedAt: null,
      updatedAt: AT,
    });
  });

  it('cannot be asked to fail or condemn without an error code (type-checked)', () => {
    // @ts-expect-error a failing step carries its code
    const withoutCode = () => transitionUpdate(TRANSITIONS, { step: 'fail' }, AT);
    expect(typeof withoutCode).toBe('function');
  });

  it('applies to a record in memory as the conditional update would, or not at all', () => {
    const record: DerivativeLifecycle & { progress: number } = {
      status: 'processing',
      errorCode: null,
      shareEpoch: 0,
      createdAt: AT,
      updatedAt: AT,
      startedAt: AT,
      completedAt: null,
      progress: 0.5,
    };
    const later = new Date(AT.getTime() + 1000);
    expect(applyTransition(record, TRANSITIONS, { step: 'requeue' }, later)).toBe(false); // not from processing
    expect(record).toMatchObject({ status: 'processing', updatedAt: AT });
    expect(applyTransition(record, TRANSITIONS, { step: 'finish' }, later, { progress: 1 })).toBe(true);
    expect(record).toMatchObject({ status: 'ready', progress: 1, completedAt: later, updatedAt: later });
    expect(applyTransition(undefined, TRANSITIONS, { step: 'start' }, later)).toBe(false);
  });

  it('answers whether a step applies from a status', () => {
    expect(canTransition(TRANSITIONS, 'processing', 'finish')).toBe(true);
    expect(canTransition(TRANSITIONS, 'ready', 'start')).toBe(false);
    expect(canTransition(TRANSITIONS, 'failed', 'requeue')).toBe(true);
  });
});

describe('runDerivativeJob', () => {
  /** A job over one in-memory derived image, recording the steps it was asked to take. */
  function job(status: DerivativeStatus | null, work: () => Promise<void> = async () => undefined) {
    const steps: string[] = [];
    const spec: DerivativeJob<{ status: DerivativeStatus }> = {
      find: async () => (status ? { status } : null),
      start: async (d) => {
        steps.push('start');
        return d.status !== 'failed'; // stands for a start that no longer applies
      },
      work: async () => {
        steps.push('work');
        await work();
      },
      undo: async () => void steps.push('undo'),
      fail: async (_, code) => void steps.push(`fail ${code}`),
      fallbackCode: 'MAKING_FAILED',
    };
    return { steps, job: spec };
  }

  it('works a queued one, and nothing else', async () => {
    const t = job('queued');
    await runDerivativeJob(t.job, { isLastAttempt: false });
    expect(t.steps).toEqual(['start', 'work']);
  });

  it('skips one that is gone or ready (a duplicate delivery), and one that can no longer start', async () => {
    for (const status of [null, 'ready', 'failed'] as const) {
      const t = job(status);
      await runDerivativeJob(t.job, { isLastAttempt: true });
      expect(t.steps).toEqual(status === 'failed' ? ['start'] : []);
    }
  });

  it('fails at once on a permanent error, undoing first, and rethrows it', async () => {
    const t = job('queued', async () => Promise.reject(new InvalidStorageKeyError('../x')));
    await expect(runDerivativeJob(t.job, { isLastAttempt: false })).rejects.toBeInstanceOf(InvalidStorageKeyError);
    expect(t.steps).toEqual(['start', 'work', 'undo', 'fail INVALID_STORAGE_KEY']);
  });

  it('leaves a transient error to the retry, and fails on the last attempt with its code or the fallback', async () => {
    const transient = job('queued', async () => Promise.reject(new StorageUnavailableError()));
    await expect(runDerivativeJob(transient.job, { isLastAttempt: false })).rejects.toThrow();
    expect(transient.steps).toEqual(['start', 'work', 'undo']);

    const last = job('processing', async () => Promise.reject(new StorageUnavailableError()));
    await expect(runDerivativeJob(last.job, { isLastAttempt: true })).rejects.toThrow();
    expect(last.steps).toEqual(['start', 'work', 'undo', 'fail STORAGE_UNAVAILABLE']);

    const unknown = job('queued', async () => Promise.reject(new Error('EIO')));
    await expect(runDerivativeJob(unknown.job, { isLastAttempt: true })).rejects.toThrow('EIO');
    expect(unknown.steps).toEqual(['start', 'work', 'undo', 'fail MAKING_FAILED']);
  });
});
