import { CollectionsModule } from '#collections';
import { Module } from '@nestjs/common';
import { PanoramasModule } from '#panoramas';
import { RenditionsModule } from '#renditions';
import { JobQueue } from '#shared-kernel';
import { PanoramaCatalogueUseCase, PanoramaDerivatives } from './application/catalogue/panorama-catalogue.use-case.js';
import { IngestPanoramaUseCase } from './application/ingest/ingest-panorama.use-case.js';
import { INGEST_JOB_POLICIES } from './application/ingest/jobs.js';
import { CheckFullIntegrityUseCase } from './application/integrity/check-full-integrity.use-case.js';

/** Declares the workflows' jobs when the module is built. */
const INGEST_JOBS_DECLARED = Symbol('ingest jobs declared');

const useCases = [IngestPanoramaUseCase, PanoramaCatalogueUseCase, CheckFullIntegrityUseCase];

/**
 * Workflows that span nouns (panoramas, tiles, renditions), above the modules that own them:
 * ingest, the panorama-with-derivatives query, the full integrity check. The modules do not
 * know this one; the API's controllers and the queue consumers call it.
 */
@Module({
  imports: [PanoramasModule, RenditionsModule, CollectionsModule],
  providers: [
    ...useCases,
    PanoramaDerivatives,
    {
      provide: INGEST_JOBS_DECLARED,
      inject: [JobQueue],
      useFactory: (queue: JobQueue) => queue.declare(INGEST_JOB_POLICIES),
    },
  ],
  exports: useCases,
})
export class WorkflowsModule {}
