import { type DynamicModule, Module } from '@nestjs/common';
import { type AppConfig, ConfigModule, LoggerModule } from '#config';
import { ImagingModule } from '#imaging';
import { PersistenceModule } from '#persistence';
import { QueueModule } from '#queue';
import { StorageModule } from '#storage';
import { ProcessorsModule } from './processors/processors.module.js';

/**
 * The queue consumers, without HTTP. Processors are added here as job types appear; the
 * API imports the same processors when WORKER_EMBEDDED=true.
 */
@Module({})
export class WorkerModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: WorkerModule,
      imports: [ConfigModule.forRoot(config), LoggerModule, PersistenceModule, QueueModule, StorageModule, ImagingModule, ProcessorsModule],
    };
  }
}
