import { type DynamicModule, Module } from '@nestjs/common';
import { type AppConfig, ConfigModule, LoggerModule, MetricsModule } from '#config';
import { ImagingModule } from '#imaging';
import { PersistenceModule } from '#persistence';
import { QueueModule } from '#queue';
import { StorageModule } from '#storage';
import { ConsumersModule } from '#consumers';

/**
 * The queue consumers, without HTTP. Processors are added here as job types appear; the
 * API imports the same processors when WORKER_EMBEDDED=true.
 */
@Module({})
export class WorkerModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: WorkerModule,
      imports: [
        ConfigModule.forRoot(config),
        LoggerModule,
        MetricsModule,
        PersistenceModule,
        QueueModule,
        StorageModule,
        ImagingModule,
        ConsumersModule,
      ],
    };
  }
}
