import { Global, Module } from '@nestjs/common';
import { JobQueue } from '#shared-kernel';
import { PgBossJobQueue } from './pg-boss-job-queue.js';

/** Binds the JobQueue port to pg-boss. */
@Global()
@Module({
  providers: [{ provide: JobQueue, useClass: PgBossJobQueue }],
  exports: [JobQueue],
})
export class QueueModule {}
