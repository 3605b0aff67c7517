/**
 * Typed job name -> payload map. Modules that enqueue work add their jobs by declaration
 * merging:
 *
 *   declare module '#shared-kernel' { interface JobMap { 'tiles.generate': { tileSetId: string } } }
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface JobMap {}

export type JobName = keyof JobMap & string;

export interface EnqueueOptions {
  /** At most one queued-or-active job with this key per job name. */
  singletonKey?: string;
  /** Delay before the job becomes available, in seconds. */
  startAfterSeconds?: number;
}

export interface JobAttempt {
  jobId: string;
  /** 1 for the first run. */
  attempt: number;
  /** If this run throws, no retry follows. */
  isLastAttempt: boolean;
}

export type JobHandler<N extends JobName> = (payload: JobMap[N], meta: JobAttempt) => Promise<void>;

/** The only way application code talks to the durable job queue. */
export abstract class JobQueue {
  abstract enqueue<N extends JobName>(name: N, payload: JobMap[N], options?: EnqueueOptions): Promise<string | null>;
  abstract work<N extends JobName>(name: N, handler: JobHandler<N>): Promise<void>;
}
