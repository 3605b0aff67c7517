import { Module } from '@nestjs/common';
import { Clock, SystemClock } from '#shared-kernel';
import { ReadyTileSets } from './application/ready-tile-sets.service.js';
import { TileSetAccess } from './application/tile-set-access.service.js';
import { DeleteTileSetUseCase } from './application/use-cases/delete-tile-set.use-case.js';
import { GenerateTileSetUseCase } from './application/use-cases/generate-tile-set.use-case.js';
import { ReadTileUseCase } from './application/use-cases/read-tile.use-case.js';
import { RequeueQueuedTileSetsUseCase } from './application/use-cases/requeue-queued-tile-sets.use-case.js';
import { GetTileManifestUseCase, GetTileSetUseCase } from './application/use-cases/tile-set-queries.use-case.js';

const useCases = [
  RequeueQueuedTileSetsUseCase,
  GenerateTileSetUseCase,
  GetTileSetUseCase,
  GetTileManifestUseCase,
  ReadTileUseCase,
  DeleteTileSetUseCase,
];

/**
 * Tile sets. Needs TileSetRepository (PersistenceModule), ObjectStorage (StorageModule),
 * PyramidTiler (ImagingModule) and JobQueue (QueueModule).
 */
@Module({
  providers: [...useCases, TileSetAccess, ReadyTileSets, { provide: Clock, useClass: SystemClock }],
  exports: useCases,
})
export class TilesModule {}
