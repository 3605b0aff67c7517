import { Module } from '@nestjs/common';
import { CollectionsModule } from '#collections';
import { AppConfig } from '#config';
import { RenditionsModule } from '#renditions';
import { Clock, SystemClock } from '#shared-kernel';
import { TilesModule } from '#tiles';
import { RevokedShareLinks } from './application/revoked-share-links.service.js';
import { ShareLinkUse } from './application/share-link-use.service.js';
import { SharingSettings } from './application/sharing.settings.js';
import { ShareLinksUseCase } from './application/use-cases/share-links.use-case.js';

/** Active listed links one resource may have at a time. */
export const MAX_ACTIVE_SHARE_LINKS = 100;

/**
 * Share links of tile sets, renditions and collections, as their owners manage them. Needs
 * ShareLinkRepository (PersistenceModule), ChangeFeed, AppConfig; the tiles, renditions and
 * collections modules say who owns what. API processes only (RevokedShareLinks listens for revocations).
 */
@Module({
  imports: [TilesModule, RenditionsModule, CollectionsModule],
  providers: [
    ShareLinksUseCase,
    RevokedShareLinks,
    ShareLinkUse,
    { provide: Clock, useClass: SystemClock },
    {
      provide: SharingSettings,
      inject: [AppConfig],
      useFactory: (config: AppConfig): SharingSettings => ({
        defaultTtlSeconds: config.SHARE_DEFAULT_TTL_SECONDS,
        maxTtlSeconds: config.SHARE_MAX_TTL_SECONDS,
        maxActiveLinks: MAX_ACTIVE_SHARE_LINKS,
      }),
    },
  ],
  exports: [ShareLinksUseCase, RevokedShareLinks, ShareLinkUse],
})
export class SharingModule {}
