import { Module } from '@nestjs/common';
import { AppConfig } from '#config';
import { Clock, JobQueue, SystemClock } from '#shared-kernel';
import { PANORAMA_JOB_POLICIES } from './application/jobs.js';
import { TilesModule } from '#tiles';
import { PanoramaAccess } from './application/panorama-access.service.js';
import { PanoramasSettings } from './application/panoramas.settings.js';
import { CheckIntegrityUseCase } from './application/use-cases/check-integrity.use-case.js';
import { DeletePanoramaUseCase } from './application/use-cases/delete-panorama.use-case.js';
import { GetPanoramaUseCase } from './application/use-cases/get-panorama.use-case.js';
import { DescribePanoramaUseCase } from './application/use-cases/describe-panorama.use-case.js';
import { PlanTileArchiveUseCase } from './application/use-cases/plan-tile-archive.use-case.js';
import { ListPanoramasUseCase } from './application/use-cases/list-panoramas.use-case.js';
import { PurgePanoramaUseCase } from './application/use-cases/purge-panorama.use-case.js';
import { ReadOriginalUseCase } from './application/use-cases/read-original.use-case.js';
import { ReconcileDeletionsUseCase } from './application/use-cases/reconcile-deletions.use-case.js';
import { StorageAccountsUseCase } from './application/use-cases/storage-accounts.use-case.js';
import { UpdatePanoramaUseCase } from './application/use-cases/update-panorama.use-case.js';
import { ListTileSetsUseCase, RequestTileSetUseCase } from './application/use-cases/tile-sets-of-panorama.use-case.js';
import { UploadPanoramaUseCase } from './application/use-cases/upload-panorama.use-case.js';

/** Declares the panoramas jobs' queue policies when the module is built. */
const PANORAMA_JOBS_DECLARED = Symbol('panorama jobs declared');

const useCases = [
  UploadPanoramaUseCase,
  GetPanoramaUseCase,
  ListPanoramasUseCase,
  UpdatePanoramaUseCase,
  DeletePanoramaUseCase,
  PurgePanoramaUseCase,
  ReadOriginalUseCase,
  ReconcileDeletionsUseCase,
  RequestTileSetUseCase,
  ListTileSetsUseCase,
  CheckIntegrityUseCase,
  StorageAccountsUseCase,
  DescribePanoramaUseCase,
  PlanTileArchiveUseCase,
];

/**
 * Panoramas and their originals. Needs from the app: PanoramaRepository, TileSetRepository
 * and UserQuotas (PersistenceModule), ObjectStorage and UploadStaging (StorageModule),
 * ImageProcessor (ImagingModule), JobQueue (QueueModule), AppConfig.
 */
@Module({
  imports: [TilesModule],
  providers: [
    ...useCases,
    PanoramaAccess,
    { provide: Clock, useClass: SystemClock },
    {
      provide: PANORAMA_JOBS_DECLARED,
      inject: [JobQueue],
      useFactory: (queue: JobQueue) => queue.declare(PANORAMA_JOB_POLICIES),
    },
    {
      provide: PanoramasSettings,
      inject: [AppConfig],
      useFactory: (config: AppConfig): PanoramasSettings => ({ maxUploadBytes: config.UPLOAD_MAX_BYTES }),
    },
  ],
  // PanoramaAccess: renditions load panoramas with the same ownership rules.
  exports: [...useCases, PanoramaAccess],
})
export class PanoramasModule {}
