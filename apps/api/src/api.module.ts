import { type DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_PIPE } from '@nestjs/core';
import { TerminusModule } from '@nestjs/terminus';
import { ThrottlerModule } from '@nestjs/throttler';
import { AppConfig, ConfigModule, LoggerModule, MetricsModule } from '#config';
import { ConsumersModule } from '#consumers';
import { ImagingModule } from '#imaging';
import { PanoramasModule } from '#panoramas';
import { PersistenceModule } from '#persistence';
import { RenditionsModule } from '#renditions';
import { CollectionsModule } from '#collections';
import { WebhooksModule } from '#webhooks';
import { WorkflowsModule } from '#workflows';
import { QueueModule } from '#queue';
import { StorageModule } from '#storage';
import { SharingModule } from '#sharing';
import { TilesModule } from '#tiles';
import { UsersModule } from '#users';
import { IntegrityController } from './admin/integrity.controller.js';
import { ApiKeysController } from './api-keys/api-keys.controller.js';
import { ImagesController } from './images/images.controller.js';
import { MetricsController } from './metrics/metrics.controller.js';
import { AuthController } from './auth/auth.controller.js';
import { HealthController, Lifecycle } from './health/health.controller.js';
import { JwtAuthGuard } from './http/auth/jwt-auth.guard.js';
import { OperationGuard } from './http/operation.guard.js';
import { ProblemDetailsFilter } from './http/problem/problem-details.filter.js';
import { createValidationPipe } from './http/problem/validation.js';
import { rateLimitWindows, RateLimits } from './http/throttling/rate-limits.js';
import { TilePipeline } from './tilesets/tile-pipeline.js';
import { SharedThrottlerStorage } from './http/throttling/shared-throttler-storage.js';
import { CategoryThrottlerGuard } from './http/throttling/throttle-category.js';
import { ThrottlingStorageModule } from './http/throttling/throttling-storage.module.js';
import { PanoramasController } from './panoramas/panoramas.controller.js';
import { RenditionsController } from './renditions/renditions.controller.js';
import { TileSetsController } from './tilesets/tilesets.controller.js';
import { TileSetResponses } from './tilesets/tile-set-responses.js';
import { ShareLinkAnswers } from './share/share-link-answers.js';
import { ShareLinkRoutes } from './share/share-link-routes.js';
import { ShareLinks } from './share/share-links.js';
import { ResumableUploads } from './uploads/resumable-uploads.js';
import { TUS_STORAGE_PROVIDER } from './uploads/tus-storage.provider.js';
import { UploadsController } from './uploads/uploads.controller.js';
import { DirectUploads } from './uploads/direct-uploads.js';
import { DirectUploadsController } from './uploads/direct-uploads.controller.js';
import { UploadFieldsParser } from './panoramas/upload-fields.js';
import { ShareLinkGuard, ShareLinkVerifier } from './share/share-link.guard.js';
import { BearerAuthentication } from './http/auth/bearer-authentication.js';
import { SharedTileSetsController } from './tilesets/shared-tilesets.controller.js';
import { SharedCollectionsController } from './collections/shared-collections.controller.js';
import { SharedRenditionsController } from './renditions/shared-renditions.controller.js';
import { ViewerController } from './viewer/viewer.controller.js';
import { WebController } from './web/web.controller.js';
import { InitialAdmin } from './users/initial-admin.js';
import { UsersController } from './users/users.controller.js';
import { WebhooksController } from './webhooks/webhooks.controller.js';
import { CollectionsController } from './collections/collections.controller.js';
import { StaleOkReads, TrackWrites } from './http/read-replicas.interceptors.js';
import { PresentationController, SharedPresentationController } from './panoramas/presentation.controller.js';

@Module({})
export class ApiModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: ApiModule,
      imports: [
        ConfigModule.forRoot(config),
        LoggerModule,
        MetricsModule,
        PersistenceModule,
        QueueModule,
        StorageModule,
        ImagingModule,
        UsersModule,
        PanoramasModule,
        TilesModule,
        RenditionsModule,
        SharingModule,
        WorkflowsModule,
        WebhooksModule,
        CollectionsModule,
        // Single-machine default: this process also consumes jobs.
        ...(config.WORKER_EMBEDDED ? [ConsumersModule] : []),
        ThrottlingStorageModule,
        TerminusModule.forRoot({ errorLogStyle: 'json', logger: false }),
        ThrottlerModule.forRootAsync({
          imports: [ThrottlingStorageModule],
          inject: [SharedThrottlerStorage],
          useFactory: (storage: SharedThrottlerStorage) => ({
            setHeaders: false,
            // Counted across every instance (PostgreSQL), see SharedThrottlerStorage.
            storage,
            throttlers: rateLimitWindows(config),
          }),
        }),
      ],
      controllers: [
        AuthController,
        UsersController,
        ApiKeysController,
        WebhooksController,
        CollectionsController,
        PanoramasController,
        UploadsController,
        DirectUploadsController,
        TileSetsController,
        RenditionsController,
        SharedTileSetsController,
        SharedPresentationController,
        SharedCollectionsController,
        SharedRenditionsController,
        ImagesController,
        HealthController,
        ViewerController,
        WebController,
        IntegrityController,
        MetricsController,
        PresentationController,
      ],
      providers: [
        Lifecycle,
        InitialAdmin,
        ShareLinks,
        ShareLinkAnswers,
        ShareLinkRoutes,
        ResumableUploads,
        TUS_STORAGE_PROVIDER,
        DirectUploads,
        UploadFieldsParser,
        ShareLinkVerifier,
        ShareLinkGuard,
        BearerAuthentication,
        TileSetResponses,
        // Order matters: the operation is known first; throttling counts every request,
        // authenticated or not.
        { provide: APP_GUARD, useClass: OperationGuard },
        { provide: APP_GUARD, useExisting: CategoryThrottlerGuard },
        { provide: APP_GUARD, useExisting: JwtAuthGuard },
        { provide: APP_GUARD, useClass: TrackWrites },
        RateLimits,
        CategoryThrottlerGuard,
        JwtAuthGuard,
        TilePipeline,
        StaleOkReads,
        ProblemDetailsFilter,
        { provide: APP_FILTER, useExisting: ProblemDetailsFilter },
        { provide: APP_PIPE, useValue: createValidationPipe() },
      ],
    };
  }
}
