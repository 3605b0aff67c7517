import { Module } from '@nestjs/common';
import { AppConfig } from '#config';
import { PanoramasModule } from '#panoramas';
import { Clock, JobQueue, SystemClock } from '#shared-kernel';
import { renditionJobPolicies } from './application/jobs.js';
import { renditionsSettings } from './renditions.config.js';
import { RenditionAccess } from './application/rendition-access.service.js';
import { RenditionRequests } from './application/rendition-requests.service.js';
import { RenditionWatch } from './application/rendition-watch.service.js';
import { RenditionsSettings } from './application/renditions.settings.js';
import { CheckRenditionsIntegrityUseCase } from './application/use-cases/check-renditions-integrity.use-case.js';
import { CompressImageUseCase } from './application/use-cases/compress-image.use-case.js';
import { CreateRenditionUseCase } from './application/use-cases/create-rendition.use-case.js';
import { DeleteRenditionUseCase } from './application/use-cases/delete-rendition.use-case.js';
import { PlanArchiveUseCase } from './application/use-cases/plan-archive.use-case.js';
import { RenderRenditionUseCase } from './application/use-cases/render-rendition.use-case.js';
import {
  GetRenditionUseCase,
  ListRenditionsUseCase,
  ReadRenditionFileUseCase,
  RenditionsOfPanoramasUseCase,
} from './application/use-cases/rendition-queries.use-case.js';
import { RequestPresetRenditionsUseCase } from './application/use-cases/request-preset-renditions.use-case.js';
import { RequeueQueuedRenditionsUseCase } from './application/use-cases/requeue-queued-renditions.use-case.js';

/** Declares the renditions jobs' queue policies when the module is built. */
const RENDITION_JOBS_DECLARED = Symbol('rendition jobs declared');
import { RenditionSharesUseCase } from './application/use-cases/rendition-shares.use-case.js';

const useCases = [
  CreateRenditionUseCase,
  RequestPresetRenditionsUseCase,
  ListRenditionsUseCase,
  GetRenditionUseCase,
  ReadRenditionFileUseCase,
  DeleteRenditionUseCase,
  RenderRenditionUseCase,
  RequeueQueuedRenditionsUseCase,
  CheckRenditionsIntegrityUseCase,
  CompressImageUseCase,
  RenditionsOfPanoramasUseCase,
  PlanArchiveUseCase,
  RenditionSharesUseCase,
];

/**
 * Renditions. Needs RenditionRepository (PersistenceModule), RenditionRenderer
 * (ImagingModule), ObjectStorage and UploadStaging (StorageModule), ReadyPyramids
 * (TilesModule), JobQueue (QueueModule), AppConfig; panoramas for ownership and quotas.
 */
@Module({
  imports: [PanoramasModule],
  providers: [
    ...useCases,
    RenditionAccess,
    RenditionRequests,
    RenditionWatch,
    { provide: Clock, useClass: SystemClock },
    {
      provide: RenditionsSettings,
      inject: [AppConfig],
      useFactory: renditionsSettings,
    },
    {
      provide: RENDITION_JOBS_DECLARED,
      inject: [JobQueue, RenditionsSettings],
      useFactory: (queue: JobQueue, settings: RenditionsSettings) => queue.declare(renditionJobPolicies(settings)),
    },
  ],
  exports: [...useCases, RenditionWatch, RenditionsSettings],
})
export class RenditionsModule {}
