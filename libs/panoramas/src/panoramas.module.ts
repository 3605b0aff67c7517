import { Module } from '@nestjs/common';
import { AppConfig } from '#config';
import { Clock, SystemClock } from '#shared-kernel';
import { PanoramaAccess } from './application/panorama-access.service.js';
import { PanoramasSettings } from './application/panoramas.settings.js';
import { TileSetRequests } from './application/tile-set-requests.service.js';
import { DeletePanoramaUseCase } from './application/use-cases/delete-panorama.use-case.js';
import { GetPanoramaUseCase } from './application/use-cases/get-panorama.use-case.js';
import { ListPanoramasUseCase } from './application/use-cases/list-panoramas.use-case.js';
import { PurgePanoramaUseCase } from './application/use-cases/purge-panorama.use-case.js';
import { ReadOriginalUseCase } from './application/use-cases/read-original.use-case.js';
import { ReconcileDeletionsUseCase } from './application/use-cases/reconcile-deletions.use-case.js';
import { UpdatePanoramaUseCase } from './application/use-cases/update-panorama.use-case.js';
import { ListTileSetsUseCase, RequestTileSetUseCase } from './application/use-cases/tile-sets-of-panorama.use-case.js';
import { UploadPanoramaUseCase } from './application/use-cases/upload-panorama.use-case.js';

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
];

/**
 * Panoramas and their originals. Needs from the app: PanoramaRepository, TileSetRepository
 * and UserQuotas (PersistenceModule), ObjectStorage and UploadStaging (StorageModule),
 * ImageProcessor (ImagingModule), JobQueue (QueueModule), AppConfig.
 */
@Module({
  providers: [
    ...useCases,
    PanoramaAccess,
    TileSetRequests,
    { provide: Clock, useClass: SystemClock },
    {
      provide: PanoramasSettings,
      inject: [AppConfig],
      useFactory: (config: AppConfig): PanoramasSettings => ({ maxUploadBytes: config.UPLOAD_MAX_BYTES }),
    },
  ],
  exports: useCases,
})
export class PanoramasModule {}
