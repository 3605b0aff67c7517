import { type DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_PIPE } from '@nestjs/core';
import { TerminusModule } from '@nestjs/terminus';
import { ThrottlerModule } from '@nestjs/throttler';
import { AppConfig, ConfigModule, LoggerModule } from '#config';
import { ImagingModule } from '#imaging';
import { PanoramasModule } from '#panoramas';
import { PersistenceModule } from '#persistence';
import { QueueModule } from '#queue';
import { StorageModule } from '#storage';
import { TilesModule } from '#tiles';
import { UsersModule } from '#users';
import { ProcessorsModule } from '../../worker/src/processors/processors.module.js';
import { AuthController } from './auth/auth.controller.js';
import { HealthController, Lifecycle } from './health/health.controller.js';
import { JwtAuthGuard } from './http/auth/jwt-auth.guard.js';
import { ProblemDetailsFilter } from './http/problem/problem-details.filter.js';
import { createValidationPipe } from './http/problem/validation.js';
import { CategoryThrottlerGuard } from './http/throttling/throttle-category.js';
import { PanoramasController } from './panoramas/panoramas.controller.js';
import { TileSetsController } from './tilesets/tilesets.controller.js';
import { ViewerController } from './viewer/viewer.controller.js';
import { InitialAdmin } from './users/initial-admin.js';
import { UsersController } from './users/users.controller.js';

@Module({})
export class ApiModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: ApiModule,
      imports: [
        ConfigModule.forRoot(config),
        LoggerModule,
        PersistenceModule,
        QueueModule,
        StorageModule,
        ImagingModule,
        UsersModule,
        PanoramasModule,
        TilesModule,
        // Single-machine default: this process also consumes jobs.
        ...(config.WORKER_EMBEDDED ? [ProcessorsModule] : []),
        TerminusModule.forRoot({ errorLogStyle: 'json', logger: false }),
        ThrottlerModule.forRoot({
          setHeaders: false,
          throttlers: [
            { name: 'default', ttl: config.THROTTLE_TTL_SECONDS * 1000, limit: config.THROTTLE_LIMIT },
            { name: 'auth', ttl: config.THROTTLE_AUTH_TTL_SECONDS * 1000, limit: config.THROTTLE_AUTH_LIMIT },
            // A viewer fetches hundreds of tiles a minute while zooming.
            { name: 'tiles', ttl: config.THROTTLE_TTL_SECONDS * 1000, limit: config.THROTTLE_TILES_LIMIT },
          ],
        }),
      ],
      controllers: [AuthController, UsersController, PanoramasController, TileSetsController, HealthController, ViewerController],
      providers: [
        Lifecycle,
        InitialAdmin,
        // Order matters: throttling counts every request, authenticated or not.
        { provide: APP_GUARD, useClass: CategoryThrottlerGuard },
        { provide: APP_GUARD, useClass: JwtAuthGuard },
        { provide: APP_FILTER, useClass: ProblemDetailsFilter },
        { provide: APP_PIPE, useValue: createValidationPipe() },
      ],
    };
  }
}
