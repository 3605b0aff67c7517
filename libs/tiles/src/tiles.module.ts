import { Module } from '@nestjs/common';
import { Clock, SystemClock } from '#shared-kernel';
import { GenerateTileSetUseCase } from './application/use-cases/generate-tile-set.use-case.js';
import { RequeueQueuedTileSetsUseCase } from './application/use-cases/requeue-queued-tile-sets.use-case.js';

const useCases = [RequeueQueuedTileSetsUseCase, GenerateTileSetUseCase];

/**
 * Tile sets. Needs TileSetRepository (PersistenceModule), ObjectStorage (StorageModule),
 * PyramidTiler (ImagingModule) and JobQueue (QueueModule).
 */
@Module({
  providers: [...useCases, { provide: Clock, useClass: SystemClock }],
  exports: useCases,
})
export class TilesModule {}
