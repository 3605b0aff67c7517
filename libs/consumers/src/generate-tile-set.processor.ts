import { Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { JobQueue } from '#shared-kernel';
import { GENERATE_TILE_SET_JOB, GenerateTileSetUseCase } from '#tiles';

/** Cuts tile sets. A corrupt image fails its job for good; other errors are retried. */
@Injectable()
export class GenerateTileSetProcessor implements OnApplicationBootstrap {
  constructor(
    private readonly queue: JobQueue,
    private readonly generate: GenerateTileSetUseCase,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.queue.work(GENERATE_TILE_SET_JOB, ({ tileSetId }, attempt) => this.generate.execute(tileSetId, attempt));
  }
}
