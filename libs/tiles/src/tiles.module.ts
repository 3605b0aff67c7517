import { Global, Module } from '@nestjs/common';
import { AppConfig } from '#config';
import { Clock, JobQueue, ReadyPyramids, SystemClock } from '#shared-kernel';
import { TilePyramids } from './application/tile-pyramids.service.js';
import { defaultMaxReadArea } from './domain/iiif.js';
import { tileJobPolicies } from './application/jobs.js';
import { ReadyTileSets } from './application/ready-tile-sets.service.js';
import { TileBytesCache } from './application/tile-bytes-cache.js';
import { TileSetRequests } from './application/tile-set-requests.service.js';
import { TileSetAccess, TileSetJobs, TileSetSharesUseCase, TileSetWatch } from './application/tile-set-derivative.js';
import { DeleteTileSetUseCase } from './application/use-cases/delete-tile-set.use-case.js';
import { GenerateTileSetUseCase } from './application/use-cases/generate-tile-set.use-case.js';
import { ReadTileUseCase } from './application/use-cases/read-tile.use-case.js';
import { RepairTileSetUseCase } from './application/use-cases/repair-tile-set.use-case.js';
import { SampleTileIntegrityUseCase } from './application/use-cases/sample-tile-integrity.use-case.js';
import { VerifyTileSetUseCase } from './application/use-cases/verify-tile-set.use-case.js';
import { GetTileManifestUseCase, GetTileSetUseCase } from './application/use-cases/tile-set-queries.use-case.js';
import { IiifSettings, IiifUseCase } from './application/use-cases/iiif.use-case.js';

/** Declares the tiles jobs' queue policies when the module is built (before anything is sent). */
const TILE_JOBS_DECLARED = Symbol('tile jobs declared');

const useCases = [
  GenerateTileSetUseCase,
  GetTileSetUseCase,
  GetTileManifestUseCase,
  ReadTileUseCase,
  DeleteTileSetUseCase,
  VerifyTileSetUseCase,
  RepairTileSetUseCase,
  SampleTileIntegrityUseCase,
  IiifUseCase,
  TileSetSharesUseCase,
];

/**
 * Tile sets. Needs TileSetRepository (PersistenceModule), ObjectStorage (StorageModule),
 * PyramidTiler (ImagingModule) and JobQueue (QueueModule).
 */
// Global: ReadyPyramids (the port renditions and IIIF read pyramids through) is visible to
// modules that do not import tiles.
@Global()
@Module({
  providers: [
    ...useCases,
    TileSetAccess,
    ReadyTileSets,
    {
      provide: TileBytesCache,
      inject: [AppConfig],
      useFactory: (config: AppConfig) => new TileBytesCache(config.TILE_CACHE_BYTES),
    },
    TileSetWatch,
    TileSetJobs,
    TileSetRequests,
    TilePyramids,
    { provide: ReadyPyramids, useExisting: TilePyramids },
    {
      provide: IiifSettings,
      inject: [AppConfig],
      useFactory: (config: AppConfig): IiifSettings => ({
        limits: {
          maxArea: config.IIIF_MAX_AREA,
          maxSide: config.IIIF_MAX_SIDE,
          maxReadArea:
            config.IIIF_MAX_READ_PIXELS ??
            defaultMaxReadArea({ maxArea: config.IIIF_MAX_AREA, maxSide: config.IIIF_MAX_SIDE }),
        },
        timeoutSeconds: config.IIIF_TIMEOUT_SECONDS,
        concurrency: config.IIIF_CONCURRENCY,
        queue: config.IIIF_QUEUE,
      }),
    },
    { provide: Clock, useClass: SystemClock },
    {
      provide: TILE_JOBS_DECLARED,
      inject: [JobQueue, AppConfig],
      useFactory: (queue: JobQueue, config: AppConfig) =>
        queue.declare(tileJobPolicies({ tilingTimeoutSeconds: config.TILING_TIMEOUT_SECONDS })),
    },
  ],
  exports: [...useCases, TileSetWatch, TileSetJobs, TileSetRequests, ReadyPyramids, ReadyTileSets, IiifSettings],
})
export class TilesModule {}
