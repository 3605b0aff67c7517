import { Injectable, Logger, type BeforeApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { type JobResult, PgBoss, type Queue } from 'pg-boss';
import { AppConfig } from '#config';
import { DatabaseOutage, isDatabaseUnavailable } from '#persistence';
import {
  DomainError,
  type EnqueueOptions,
  type JobHandler,
  type JobMap,
  JobQueue,
  type JobName,
  type JobPolicies,
  type JobPolicy,
  Metrics,
} from '#shared-kernel';

/**
 * A declared JobPolicy in pg-boss terms, with what is common to every job from
 * configuration: retries with exponential backoff; a heartbeat so that a worker killed
 * mid-job is noticed within JOB_HEARTBEAT_SECONDS (pg-boss refreshes it while the handler
 * runs) and its job retried; finished and failed jobs kept a week for inspection.
 */
export function pgBossQueue(policy: JobPolicy, config: AppConfig): Omit<Queue, 'name'> {
  return {
    // 'stately': at most one queued and one active job per singleton key, so re-sending a job
    // that already waits is a no-op. 'standard' ignores keys.
    policy: policy.singleton ? 'stately' : 'standard',
    retryLimit: policy.retryLimit ?? config.JOB_RETRY_LIMIT,
    retryDelay: config.JOB_RETRY_DELAY_SECONDS,
    retryBackoff: true,
    retryDelayMax: 600,
    heartbeatSeconds: config.JOB_HEARTBEAT_SECONDS,
    expireInSeconds: policy.timeoutSeconds,
    deleteAfterSeconds: 7 * 86_400,
    // A queued job wakes the workers waiting on this queue at once (pg_notify in the same
    // transaction as the insert), instead of at their next poll.
    notify: true,
  };
}

/**
 * JobQueue on pg-boss (schema QUEUE_SCHEMA in the application database). Started when the
 * module initialises, stopped gracefully on shutdown so active jobs can finish.
 *
 * A handler that throws a non-retryable DomainError fails its job for good (the input will
 * not get better); any other error is retried with backoff until JOB_RETRY_LIMIT.
 */
@Injectable()
export class PgBossJobQueue extends JobQueue implements OnModuleInit, BeforeApplicationShutdown {
  private readonly logger = new Logger(PgBossJobQueue.name);
  private readonly boss: PgBoss;
  private readonly createdQueues = new Set<string>();
  private readonly policies = new Map<string, JobPolicy>();

  constructor(
    private readonly config: AppConfig,
    private readonly outage: DatabaseOutage,
    private readonly metrics: Metrics,
  ) {
    super();
    this.boss = new PgBoss({
      connectionString: config.DATABASE_URL,
      schema: config.QUEUE_SCHEMA,
      max: 4,
      application_name: 'tessera-queue',
      // Noticing a dead worker's stale heartbeat takes the supervisor, the monitor and a
      // queue list that knows the queue: all three run at this interval.
      superviseIntervalSeconds: config.QUEUE_SUPERVISE_INTERVAL_SECONDS,
      monitorIntervalSeconds: config.QUEUE_SUPERVISE_INTERVAL_SECONDS,
      queueCacheIntervalSeconds: config.QUEUE_SUPERVISE_INTERVAL_SECONDS,
      // One connection LISTENs for new jobs on notify queues (all of ours). Where it cannot
      // (PgBouncer in transaction mode), pg-boss warns and workers only poll.
      useListenNotify: true,
    });
    // Only message and code: pg errors carry the whole client, connection settings included.
    // An outage makes every queue's poll fail every second: one story (DatabaseOutage), not a
    // line per failure. Anything else is logged with its code only.
    this.boss.on('error', (error: { code?: string; message?: string }) => {
      if (isDatabaseUnavailable(error)) this.outage.failed(error);
      else this.logger.error({ code: error.code }, `pg-boss: ${error.message}`);
    });
    // E.g. the LISTEN connection could not be made: workers then find jobs by polling alone.
    this.boss.on('warning', (warning: { message?: string; data?: { type?: string } }) =>
      this.logger.warn({ type: warning.data?.type }, `pg-boss: ${warning.message}`),
    );
  }

  async onModuleInit(): Promise<void> {
    await this.boss.start();
    this.metrics.gauge('queue_jobs', async () =>
      (await this.boss.getQueues()).flatMap((queue) => [
        { labels: { job: queue.name, state: 'queued' as const }, value: queue.queuedCount },
        { labels: { job: queue.name, state: 'active' as const }, value: queue.activeCount },
        { labels: { job: queue.name, state: 'failed' as const }, value: queue.failedCount ?? 0 },
      ]),
    );
    this.logger.log(`Job queue connected (schema "${this.config.QUEUE_SCHEMA}")`);
  }

  /**
   * Before, not on, application shutdown: running handlers finish (up to the grace period)
   * while the ORM they use is still open; it closes in onApplicationShutdown.
   */
  async beforeApplicationShutdown(): Promise<void> {
    await this.boss.stop({ graceful: true, timeout: this.config.SHUTDOWN_GRACE_SECONDS * 1000 });
    this.logger.log('Job queue stopped');
  }

  async enqueue<N extends JobName>(name: N, payload: JobMap[N], options: EnqueueOptions = {}): Promise<string | null> {
    await this.ensureQueue(name);
    return this.boss.send(name, payload as object, {
      singletonKey: options.singletonKey,
      startAfter: options.startAfterSeconds,
      // pg-boss runs its insert on the caller's connection, inside the caller's transaction.
      ...(options.within ? { db: options.within } : {}),
    });
  }

  async work<N extends JobName>(name: N, handler: JobHandler<N>): Promise<void> {
    await this.ensureQueue(name);
    // The worker's id, to wake it once a job is done (below); known once work() returns,
    // which is before any job can be fetched (a `let`, so a handler never meets it unset).
    let workerId: string | undefined = undefined;
    workerId = await this.boss.work<JobMap[N]>(
      name,
      {
        // Polling stays as the floor: retries coming due send no notification.
        pollingIntervalSeconds: this.config.QUEUE_POLL_SECONDS,
        notifyPollingIntervalSeconds: this.config.QUEUE_POLL_SECONDS,
        batchSize: 1,
        perJobResults: true,
      },
      async (jobs) => {
        const results = await Promise.all(
          jobs.map(async (job): Promise<JobResult> => {
            const started = performance.now();
            const result = await this.run(name, job, handler);
            const outcome =
              result.status === 'completed' ? 'completed' : result.status === 'failed' ? 'failed' : 'dead';
            this.metrics.observe('job_duration_seconds', { job: name, outcome }, (performance.now() - started) / 1000);
            return result;
          }),
        );
        // A job was there, so more may be: fetch again at once, not after the poll interval
        // (pg-boss waits it after every batch, so a backlog drained at one job per interval,
        // e.g. a second per small preset rendition). An empty fetch goes back to waiting.
        if (workerId !== undefined) this.boss.notifyWorker(workerId);
        return results;
      },
    );
  }

  private async run<N extends JobName>(
    name: N,
    job: { id: string; data: JobMap[N]; retryCount: number },
    handler: JobHandler<N>,
  ): Promise<JobResult> {
    try {
      await handler(job.data, {
        jobId: job.id,
        attempt: job.retryCount + 1,
        isLastAttempt: job.retryCount >= this.config.JOB_RETRY_LIMIT,
      });
      return { id: job.id, status: 'completed' };
    } catch (error) {
      if (error instanceof DomainError && !error.retryable) {
        // The input will not get better: fail for good, skipping any retries left.
        this.logger.warn({ jobId: job.id, code: error.code }, `Job ${name} failed permanently: ${error.message}`);
        return { id: job.id, status: 'deadletter', output: { code: error.code, message: error.message } };
      }
      this.logger.warn(
        { jobId: job.id, attempt: job.retryCount + 1, err: error },
        `Job ${name} failed; it will be retried if attempts remain`,
      );
      return {
        id: job.id,
        status: 'failed',
        output: { message: error instanceof Error ? error.message : String(error) },
      };
    }
  }

  async schedule<N extends JobName>(name: N, cron: string, payload: JobMap[N]): Promise<void> {
    await this.ensureQueue(name);
    if (cron) await this.boss.schedule(name, cron, payload, { tz: 'UTC' });
    else await this.boss.unschedule(name);
  }

  declare(policies: JobPolicies): void {
    for (const [name, policy] of Object.entries(policies)) this.policies.set(name, policy);
  }

  private async ensureQueue(name: JobName): Promise<void> {
    if (this.createdQueues.has(name)) return;
    const policy = this.policies.get(name);
    if (!policy) throw new Error(`Job ${name} was never declared (JobQueue.declare, in the module that owns it)`);
    const { policy: kind, ...settings } = pgBossQueue(policy, this.config);
    await this.boss.createQueue(name, { policy: kind, ...settings });
    // createQueue leaves an existing queue as it was made: a queue from an earlier version or
    // configuration gets today's settings (retries, timeouts, notify).
    await this.boss.updateQueue(name, settings);
    this.createdQueues.add(name);
  }
}
