import { Module } from '@nestjs/common';
import { PanoramasModule } from '#panoramas';
import { TilesModule } from '#tiles';
import { GenerateTileSetProcessor } from './generate-tile-set.processor.js';
import { PurgePanoramaProcessor } from './purge-panorama.processor.js';
import { Reconciler } from './reconciler.js';

/**
 * The queue consumers: thin processors that call a use case. Imported by the worker app,
 * and by the API when WORKER_EMBEDDED=true.
 */
@Module({
  imports: [PanoramasModule, TilesModule],
  providers: [GenerateTileSetProcessor, PurgePanoramaProcessor, Reconciler],
})
export class ProcessorsModule {}
