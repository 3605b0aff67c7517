/**
 * Typed job name -> payload map. Modules that enqueue work add their jobs by declaration
 * merging:
 *
 *   declare module '#shared-kernel' { interface JobMap { 'tiles.generate': { tileSetId: string } } }
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface JobMap {}

// `& string` keeps symbol/number keys out whatever gets merged in.
// eslint-disable-next-line @typescript-eslint/no-redundant-type-constituents
export type JobName = keyof JobMap & string;

/**
 * A database transaction in progress, as one adapter hands it to another: SQL with `$n`
 * parameters runs inside it. Application code only passes it along (see EnqueueOptions.within).
 */
export interface SqlTransaction {
  executeSql(text: string, values?: unknown[]): Promise<{ rows: unknown[] }>;
}

export interface EnqueueOptions {
  /** At most one queued-or-active job with this key per job name. */
  singletonKey?: string;
  /** Delay before the job becomes available, in seconds. */
  startAfterSeconds?: number;
  /**
   * Sent as part of this transaction: the job exists if and only if the transaction commits
   * (the queue must live in the same database).
   */
  within?: SqlTransaction;
}

/** A job to send later, as a value (its name, payload and options travel together). */
export type QueuedJob = {
  [N in JobName]: { name: N; payload: JobMap[N]; options?: Omit<EnqueueOptions, 'within'> };
}[JobName];

export interface JobAttempt {
  jobId: string;
  /** 1 for the first run. */
  attempt: number;
  /** If this run throws, no retry follows. */
  isLastAttempt: boolean;
}

export type JobHandler<N extends JobName> = (payload: JobMap[N], meta: JobAttempt) => Promise<void>;

/**
 * How the queue treats one kind of job, declared by the noun that owns the job, beside its
 * payload in JobMap; queue adapters only translate it.
 */
export interface JobPolicy {
  /** At most one queued and one active job per singleton key (jobs sent with `singletonKey`). */
  singleton: boolean;
  /** A run still going after this long is considered lost: it runs again elsewhere. */
  timeoutSeconds: number;
  /** Retries after a failed attempt (default: the configured JOB_RETRY_LIMIT); 0: none. */
  retryLimit?: number;
}

export type JobPolicies = { [N in JobName]?: JobPolicy };

/** The only way application code talks to the durable job queue. */
export abstract class JobQueue {
  /** Registers the policies of a noun's jobs; a job must be declared before it is sent or worked. */
  abstract declare(policies: JobPolicies): void;
  abstract enqueue<N extends JobName>(name: N, payload: JobMap[N], options?: EnqueueOptions): Promise<string | null>;
  abstract work<N extends JobName>(name: N, handler: JobHandler<N>): Promise<void>;
  /**
   * Sends `name` on a cron schedule (UTC), one job per tick whichever processes run; calling
   * it again replaces the schedule. An empty `cron` removes it.
   */
  abstract schedule<N extends JobName>(name: N, cron: string, payload: JobMap[N]): Promise<void>;
}
