import { Module } from '@nestjs/common';
import { RequeueQueuedTileSetsUseCase } from './application/use-cases/requeue-queued-tile-sets.use-case.js';

/** Tile sets. Needs TileSetRepository (PersistenceModule) and JobQueue (QueueModule). */
@Module({
  providers: [RequeueQueuedTileSetsUseCase],
  exports: [RequeueQueuedTileSetsUseCase],
})
export class TilesModule {}
