import { Module } from '@nestjs/common';
import { PanoramasModule } from '#panoramas';
import { RenditionsModule } from '#renditions';
import { TilesModule } from '#tiles';
import { CollectionsModule } from '#collections';
import { WebhooksModule } from '#webhooks';
import { WorkflowsModule } from '#workflows';
import { GenerateTileSetProcessor } from './generate-tile-set.processor.js';
import { IntegritySampleProcessor } from './integrity-sample.processor.js';
import { PurgePanoramaProcessor } from './purge-panorama.processor.js';
import { Reconciler } from './reconciler.js';
import { RenderRenditionProcessor } from './render-rendition.processor.js';
import { RequestPresetsProcessor } from './request-presets.processor.js';
import { WebhooksProcessor } from './webhooks.processor.js';

/**
 * The queue consumers: thin processors that call a use case (each job is declared, with its
 * payload and queue policy, by the noun that owns it). Imported by the worker app, and by
 * the API when WORKER_EMBEDDED=true.
 */
@Module({
  imports: [PanoramasModule, TilesModule, RenditionsModule, WorkflowsModule, WebhooksModule, CollectionsModule],
  providers: [
    GenerateTileSetProcessor,
    RenderRenditionProcessor,
    RequestPresetsProcessor,
    PurgePanoramaProcessor,
    IntegritySampleProcessor,
    WebhooksProcessor,
    Reconciler,
  ],
})
export class ConsumersModule {}
