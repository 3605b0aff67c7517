import { Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { PgBoss, type Queue } from 'pg-boss';
import { AppConfig } from '#config';
import { DomainError, type EnqueueOptions, type JobHandler, type JobMap, JobQueue, type JobName } from '#shared-kernel';

/** Queue settings per job name; a job without an entry gets DEFAULT_QUEUE_OPTIONS. */
export const QUEUE_OPTIONS: Partial<Record<JobName, Omit<Queue, 'name'>>> = {};

export const DEFAULT_QUEUE_OPTIONS: Omit<Queue, 'name'> = {
  retryLimit: 5,
  retryDelay: 5,
  retryBackoff: true,
  retryDelayMax: 300,
  expireInSeconds: 3_600,
  // Failed jobs stay for inspection for a week.
  deleteAfterSeconds: 7 * 86_400,
};

/**
 * JobQueue on pg-boss (schema QUEUE_SCHEMA in the application database). Started when the
 * module initialises, stopped gracefully on shutdown so active jobs can finish.
 *
 * A handler that throws a DomainError fails its job for good (the input will not get
 * better); any other error is retried with backoff.
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
    await this.boss.work<JobMap[N]>(name, { pollingIntervalSeconds: 1, batchSize: 1 }, async ([job]) => {
      if (!job) return;
      try {
        await handler(job.data, { jobId: job.id, attempt: job.retryCount + 1 });
      } catch (error) {
        if (error instanceof DomainError) {
          this.logger.warn({ jobId: job.id, code: error.code }, `Job ${name} failed permanently: ${error.message}`);
          await this.boss.fail(name, job.id, { code: error.code, message: error.message });
          // Completing the handler normally would mark it completed; fail() already settled it.
          return;
        }
        throw error;
      }
    });
  }

  private async ensureQueue(name: JobName): Promise<void> {
    if (this.createdQueues.has(name)) return;
    await this.boss.createQueue(name, QUEUE_OPTIONS[name] ?? DEFAULT_QUEUE_OPTIONS);
    this.createdQueues.add(name);
  }
}
