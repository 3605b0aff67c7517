import { MikroOrmModule } from '@mikro-orm/nestjs';
import { PostgreSqlDriver } from '@mikro-orm/postgresql';
import { Global, Module } from '@nestjs/common';
import { AppConfig } from '#config';
import { DirectUploadRepository, PanoramaRepository, UserQuotas } from '#panoramas';
import { RenditionRepository } from '#renditions';
import { ShareLinkRepository } from '#sharing';
import { TileSetRepository } from '#tiles';
import { ApiKeyRepository, RefreshTokenRepository, UserRepository } from '#users';
import { WebhookRepository } from '#webhooks';
import { CollectionRepository } from '#collections';
import { ChangeFeed, SharedLocks } from '#shared-kernel';
import { DatabaseOutage } from './database-outage.js';
import { createOrmConfig } from './mikro-orm.config.js';
import { PgAdvisoryLocks } from './pg-advisory-locks.js';
import { PgChangeFeed } from './pg-change-feed.js';
import { PgRateLimitCounters } from './pg-rate-limit-counters.js';
import { ReadReplicas } from './read-replicas/read-replicas.js';
import { MikroOrmCollectionRepository } from './repositories/mikro-orm-collection.repository.js';
import { MikroOrmWebhookRepository } from './repositories/mikro-orm-webhook.repository.js';
import { MikroOrmApiKeyRepository } from './repositories/mikro-orm-api-key.repository.js';
import { MikroOrmDirectUploadRepository } from './repositories/mikro-orm-direct-upload.repository.js';
import { MikroOrmPanoramaRepository } from './repositories/mikro-orm-panorama.repository.js';
import { MikroOrmRenditionRepository } from './repositories/mikro-orm-rendition.repository.js';
import { MikroOrmShareLinkRepository } from './repositories/mikro-orm-share-link.repository.js';
import { MikroOrmRefreshTokenRepository } from './repositories/mikro-orm-refresh-token.repository.js';
import { MikroOrmTileSetRepository } from './repositories/mikro-orm-tile-set.repository.js';
import { MikroOrmUserQuotas } from './repositories/mikro-orm-user-quotas.js';
import { MikroOrmUserRepository } from './repositories/mikro-orm-user.repository.js';

/** The read-replica router, shared by MikroORM's driver and the repositories. */
@Module({ providers: [ReadReplicas], exports: [ReadReplicas] })
export class ReadReplicasModule {}

/** PostgreSQL through MikroORM; binds every repository port to its MikroORM adapter. */
@Global()
@Module({
  imports: [
    ReadReplicasModule,
    MikroOrmModule.forRootAsync({
      driver: PostgreSqlDriver,
      imports: [ReadReplicasModule],
      inject: [AppConfig, ReadReplicas],
      useFactory: (config: AppConfig, replicas: ReadReplicas) => ({
        ...createOrmConfig(config, replicas),
        registerRequestContext: false,
      }),
    }),
  ],
  providers: [
    { provide: UserRepository, useClass: MikroOrmUserRepository },
    { provide: RefreshTokenRepository, useClass: MikroOrmRefreshTokenRepository },
    { provide: ApiKeyRepository, useClass: MikroOrmApiKeyRepository },
    { provide: WebhookRepository, useClass: MikroOrmWebhookRepository },
    { provide: DirectUploadRepository, useClass: MikroOrmDirectUploadRepository },
    { provide: CollectionRepository, useClass: MikroOrmCollectionRepository },
    { provide: PanoramaRepository, useClass: MikroOrmPanoramaRepository },
    { provide: TileSetRepository, useClass: MikroOrmTileSetRepository },
    { provide: RenditionRepository, useClass: MikroOrmRenditionRepository },
    { provide: UserQuotas, useClass: MikroOrmUserQuotas },
    { provide: ShareLinkRepository, useClass: MikroOrmShareLinkRepository },
    DatabaseOutage,
    { provide: ChangeFeed, useClass: PgChangeFeed },
    { provide: SharedLocks, useClass: PgAdvisoryLocks },
    PgRateLimitCounters,
  ],
  exports: [
    UserRepository,
    RefreshTokenRepository,
    ApiKeyRepository,
    WebhookRepository,
    DirectUploadRepository,
    CollectionRepository,
    PanoramaRepository,
    TileSetRepository,
    RenditionRepository,
    UserQuotas,
    ShareLinkRepository,
    DatabaseOutage,
    ChangeFeed,
    SharedLocks,
    PgRateLimitCounters,
    ReadReplicasModule,
  ],
})
export class PersistenceModule {}
