import { DomainError } from './domain-error.js';
import type { JobAttempt } from './job-queue.port.js';

/**
 * What every derived image of a panorama (a tile set, a rendition) shares, written once:
 * its lifecycle, the fields each status change sets, and the skeleton of the job that makes
 * it. Each noun keeps what is its own: which changes it allows from where (its transition
 * table), its own fields (a tile set's progress and counts, a rendition's file), its work.
 * Derived images still do not know each other.
 */
export const DERIVATIVE_STATUSES = ['queued', 'processing', 'ready', 'failed'] as const;
export type DerivativeStatus = (typeof DERIVATIVE_STATUSES)[number];

/**
 * start: a job begins (or a redelivered one begins again); finish: made; fail: the job gave
 * up; requeue: to be made again; condemn: its stored bytes were found damaged.
 */
export type DerivativeStep = 'start' | 'finish' | 'fail' | 'requeue' | 'condemn';

/** A noun's table: for each step, the statuses it applies from and the one it leads to. */
export type DerivativeTransitions = Readonly<
  Record<DerivativeStep, { readonly from: readonly DerivativeStatus[]; readonly to: DerivativeStatus }>
>;

/** The lifecycle fields of a derived image. */
export interface DerivativeLifecycle {
  status: DerivativeStatus;
  errorCode: string | null;
  /** Raised to revoke every share link of it at once (links carry the epoch). */
  shareEpoch: number;
  createdAt: Date;
  updatedAt: Date;
  startedAt: Date | null;
  completedAt: Date | null;
}

/** A derived image of a panorama: which one it is of, whose, and its lifecycle. */
export interface DerivedImageProps extends DerivativeLifecycle {
  id: string;
  panoramaId: string;
  /** Copied from the panorama, so that access checks need no join. */
  ownerId: string;
}

/** Whether `step` applies to a derived image in `status` under `transitions`. */
export const canTransition = (
  transitions: DerivativeTransitions,
  status: DerivativeStatus,
  step: DerivativeStep,
): boolean => transitions[step].from.includes(status);

/** A step as a repository is asked to take it: the failing ones always with their code. */
export type DerivativeChange =
  { step: 'start' | 'finish' | 'requeue' } | { step: 'fail' | 'condemn'; errorCode: string };

/**
 * One status change as a conditional update: `from`, the statuses it applies from (the
 * repository's `where status in from`, so a change that no longer applies changes nothing
 * and says so), and `set`, the lifecycle fields it writes (the noun's own go beside).
 */
export function transitionUpdate(
  transitions: DerivativeTransitions,
  change: DerivativeChange,
  at: Date,
): { from: readonly DerivativeStatus[]; set: Partial<DerivativeLifecycle> } {
  const { from, to } = transitions[change.step];
  return { from, set: { ...lifecycleFields(change, at), status: to, updatedAt: at } };
}

function lifecycleFields(change: DerivativeChange, at: Date): Partial<DerivativeLifecycle> {
  switch (change.step) {
    case 'start':
      return { errorCode: null, startedAt: at, completedAt: null };
    case 'finish':
      return { completedAt: at };
    case 'fail':
    case 'condemn':
      return { errorCode: change.errorCode, completedAt: at };
    case 'requeue':
      return { errorCode: null, startedAt: null, completedAt: null };
  }
}

/**
 * `change` applied to a record held in memory, as the repository's conditional update would
 * apply it to its row (with the noun's `own` fields); false, changing nothing, when it does
 * not apply from the record's status. For in-memory repositories.
 */
export function applyTransition<R extends DerivativeLifecycle>(
  record: R | undefined,
  transitions: DerivativeTransitions,
  change: DerivativeChange,
  at: Date,
  own: Partial<R> = {},
): boolean {
  if (!record || !canTransition(transitions, record.status, change.step)) return false;
  Object.assign(record, own, transitionUpdate(transitions, change, at).set);
  return true;
}

/** The steps of one derived image's job; `runDerivativeJob` runs them. */
export interface DerivativeJob<D extends { status: DerivativeStatus }> {
  /** The derived image, or null when there is nothing to make (deleted, or its source is). */
  find(): Promise<D | null>;
  /** Marks it processing; false when that no longer applies (deleted or finished meanwhile). */
  start(derivative: D): Promise<boolean>;
  /** Makes, stores and marks it ready; leaves nothing behind if it is deleted meanwhile. */
  work(derivative: D): Promise<void>;
  /** Removes what a failed attempt published, before the failure is recorded. */
  undo?(derivative: D): Promise<unknown>;
  /** Marks it failed with `code`. */
  fail(derivative: D, code: string): Promise<unknown>;
  /** The code recorded when the failure is not a DomainError (storage down on the last attempt...). */
  fallbackCode: string;
}

/**
 * The job skeleton every derived image shares: find it, skip it if it is ready (a duplicate
 * delivery of a finished job) or cannot start, work; on failure undo, then fail it at once if
 * the error is permanent (a non-retryable DomainError: a corrupt image), or on the last
 * attempt; the error is rethrown either way, for the queue to retry or record.
 */
export async function runDerivativeJob<D extends { status: DerivativeStatus }>(
  job: DerivativeJob<D>,
  attempt: Pick<JobAttempt, 'isLastAttempt'>,
): Promise<void> {
  const derivative = await job.find();
  if (!derivative || derivative.status === 'ready') return;
  if (!(await job.start(derivative))) return;
  try {
    await job.work(derivative);
  } catch (error) {
    await job.undo?.(derivative);
    const permanent = error instanceof DomainError && !error.retryable;
    if (permanent || attempt.isLastAttempt) {
      await job.fail(derivative, error instanceof DomainError ? error.code : job.fallbackCode);
    }
    throw error;
  }
}
