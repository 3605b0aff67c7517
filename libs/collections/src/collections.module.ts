import { Module } from '@nestjs/common';
import { AppConfig } from '#config';
import { Clock, SystemClock } from '#shared-kernel';
import { WebhooksModule } from '#webhooks';
import { CollectionMembers } from './application/collection-members.service.js';
import { CollectionWatch } from './application/collection-watch.service.js';
import { CollectionsSettings } from './application/collections.settings.js';
import { CollectionsUseCase } from './application/use-cases/collections.use-case.js';
import { SettleCollectionsUseCase } from './application/use-cases/settle-collections.use-case.js';

/** Collections of panoramas. Needs CollectionRepository (PersistenceModule) and AppConfig. */
@Module({
  imports: [WebhooksModule],
  providers: [
    CollectionsUseCase,
    SettleCollectionsUseCase,
    CollectionWatch,
    CollectionMembers,
    { provide: Clock, useClass: SystemClock },
    {
      provide: CollectionsSettings,
      inject: [AppConfig],
      useFactory: (config: AppConfig): CollectionsSettings => ({ settleSeconds: config.COLLECTION_SETTLE_SECONDS }),
    },
  ],
  exports: [CollectionsUseCase, SettleCollectionsUseCase, CollectionWatch, CollectionMembers],
})
export class CollectionsModule {}
