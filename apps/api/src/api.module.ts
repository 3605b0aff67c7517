import { type DynamicModule, Module, ValidationPipe } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_PIPE } from '@nestjs/core';
import { TerminusModule } from '@nestjs/terminus';
import { ThrottlerModule } from '@nestjs/throttler';
import { AppConfig, ConfigModule, LoggerModule } from '#config';
import { PersistenceModule } from '#persistence';
import { QueueModule } from '#queue';
import { UsersModule } from '#users';
import { AuthController } from './auth/auth.controller.js';
import { HealthController, Lifecycle } from './health/health.controller.js';
import { JwtAuthGuard } from './http/auth/jwt-auth.guard.js';
import { ProblemDetailsFilter } from './http/problem/problem-details.filter.js';
import { RequestValidationError } from './http/problem/request-validation.error.js';
import { CategoryThrottlerGuard } from './http/throttling/throttle-category.js';
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
        UsersModule,
        TerminusModule.forRoot({ errorLogStyle: 'json', logger: false }),
        ThrottlerModule.forRoot({
          setHeaders: false,
          throttlers: [
            { name: 'default', ttl: config.THROTTLE_TTL_SECONDS * 1000, limit: config.THROTTLE_LIMIT },
            { name: 'auth', ttl: config.THROTTLE_AUTH_TTL_SECONDS * 1000, limit: config.THROTTLE_AUTH_LIMIT },
          ],
        }),
      ],
      controllers: [AuthController, UsersController, HealthController],
      providers: [
        Lifecycle,
        InitialAdmin,
        // Order matters: throttling counts every request, authenticated or not.
        { provide: APP_GUARD, useClass: CategoryThrottlerGuard },
        { provide: APP_GUARD, useClass: JwtAuthGuard },
        { provide: APP_FILTER, useClass: ProblemDetailsFilter },
        {
          provide: APP_PIPE,
          useValue: new ValidationPipe({
            whitelist: true,
            forbidNonWhitelisted: true,
            forbidUnknownValues: true,
            transform: true,
            exceptionFactory: (errors) => RequestValidationError.fromValidationErrors(errors),
          }),
        },
      ],
    };
  }
}
