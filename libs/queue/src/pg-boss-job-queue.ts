import { Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { type JobResult, PgBoss, type Queue } from 'pg-boss';
import { AppConfig } from '#config';
import { DomainError, type EnqueueOptions, type JobHandler, type JobMap, JobQueue, type JobName } from '#shared-kernel';

/** Jobs sent with a singleton key (one per tile set / panorama). */
const SINGLETON_JOBS = new Set<string>(['tiles.generate', 'panoramas.purge']);

/**
 * Queue policy, from configuration: retries with exponential backoff; a heartbeat so a
 * worker killed mid-job is noticed within JOB_HEARTBEAT_SECONDS (pg-boss refreshes it
 * while the handler runs) and its job retried; an expiry of at least twice the slowest job;
 * finished and failed jobs kept a week for inspection.
 */
export function queuePolicy(name: JobName, config: AppConfig): Omit<Queue, 'name'> {
  return {
    // 'stately': at most one queued and one active job per singleton key (the tile set or
    // panorama id), so re-sending a job that already waits is a no-op. 'standard' ignores keys.
    policy: SINGLETON_JOBS.has(name) ? 'stately' : 'standard',
    retryLimit: config.JOB_RETRY_LIMIT,
    retryDelay: config.JOB_RETRY_DELAY_SECONDS,
    retryBackoff: true,
    retryDelayMax: 600,
    heartbeatSeconds: config.JOB_HEARTBEAT_SECONDS,
    expireInSeconds: name === 'tiles.generate' ? 2 * config.TILING_TIMEOUT_SECONDS + 300 : 3_600,
    deleteAfterSeconds: 7 * 86_400,
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
export class PgBossJobQueue extends JobQueue implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(PgBossJobQueue.name);
  private readonly boss: PgBoss;
  private readonly createdQueues = new Set<string>();

  constructor(private readonly config: AppConfig) {
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
    });
    // Only message and code: pg errors carry the whole client, connection settings included.
    this.boss.on('error', (error: Error & { code?: string }) => this.logger.error({ code: error.code }, `pg-boss: ${error.message}`));
  }

  async onModuleInit(): Promise<void> {
    await this.boss.start();
    this.logger.log(`Job queue connected (schema "${this.config.QUEUE_SCHEMA}")`);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.boss.stop({ graceful: true, timeout: this.config.SHUTDOWN_GRACE_SECONDS * 1000 });
    this.logger.log('Job queue stopped');
  }

  async enqueue<N extends JobName>(name: N, payload: JobMap[N], options: EnqueueOptions = {}): Promise<string | null> {
    await this.ensureQueue(name);
    return this.boss.send(name, payload as object, {
      singletonKey: options.singletonKey,
      startAfter: options.startAfterSeconds,
    });
  }

  async work<N extends JobName>(name: N, handler: JobHandler<N>): Promise<void> {
    await this.ensureQueue(name);
    await this.boss.work<JobMap[N]>(name, { pollingIntervalSeconds: 1, batchSize: 1, perJobResults: true }, async (jobs) =>
      Promise.all(
        jobs.map(async (job): Promise<JobResult> => {
          try {
            await handler(job.data, { jobId: job.id, attempt: job.retryCount + 1, isLastAttempt: job.retryCount >= this.config.JOB_RETRY_LIMIT });
            return { id: job.id, status: 'completed' };
          } catch (error) {
            if (error instanceof DomainError && !error.retryable) {
              // The input will not get better: fail for good, skipping any retries left.
              this.logger.warn({ jobId: job.id, code: error.code }, `Job ${name} failed permanently: ${error.message}`);
              return { id: job.id, status: 'deadletter', output: { code: error.code, message: error.message } };
            }
            this.logger.warn({ jobId: job.id, attempt: job.retryCount + 1, err: error }, `Job ${name} failed; it will be retried if attempts remain`);
            return { id: job.id, status: 'failed', output: { message: error instanceof Error ? error.message : String(error) } };
          }
        }),
      ),
    );
  }

  private async ensureQueue(name: JobName): Promise<void> {
    if (this.createdQueues.has(name)) return;
    await this.boss.createQueue(name, queuePolicy(name, this.config));
    this.createdQueues.add(name);
  }
}
