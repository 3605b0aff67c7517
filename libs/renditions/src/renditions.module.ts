import { Module } from '@nestjs/common';
import { AppConfig } from '#config';
import { PanoramasModule } from '#panoramas';
import { Clock, JobQueue, SystemClock } from '#shared-kernel';
import { renditionJobPolicies } from './application/jobs.js';
import { renditionsSettings } from './renditions.config.js';
import {
  RenditionAccess,
  RenditionJobs,
  RenditionSharesUseCase,
  RenditionWatch,
} from './application/rendition-derivative.js';
import { RenditionRequests } from './application/rendition-requests.service.js';
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

/** Declares the renditions jobs' queue policies when the module is built. */
const RENDITION_JOBS_DECLARED = Symbol('rendition jobs declared');

const useCases = [
  CreateRenditionUseCase,
  RequestPresetRenditionsUseCase,
  ListRenditionsUseCase,
  GetRenditionUseCase,
  ReadRenditionFileUseCase,
  DeleteRenditionUseCase,
  RenderRenditionUseCase,
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
    RenditionJobs,
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
  exports: [...useCases, RenditionWatch, RenditionJobs, RenditionsSettings],
})
export class RenditionsModule {}
