import { Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { JobQueue } from '#shared-kernel';
import { IngestPanoramaUseCase, REQUEST_PRESETS_JOB } from '#workflows';

/** Asks for the presets of a committed upload (sent in the upload's own transaction). */
@Injectable()
export class RequestPresetsProcessor implements OnApplicationBootstrap {
  constructor(
    private readonly queue: JobQueue,
    private readonly ingest: IngestPanoramaUseCase,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.queue.work(REQUEST_PRESETS_JOB, ({ panoramaId, ownerId, presets }) =>
      this.ingest.requestCommittedPresets(panoramaId, ownerId, presets),
    );
  }
}
