import { Injectable } from '@nestjs/common';
import { JobQueue } from '#shared-kernel';
import { GENERATE_TILE_SET_JOB } from '../jobs.js';
import { TileSetRepository } from '../ports/tile-set.repository.port.js';

/**
 * Start-up reconciliation: a tile set committed as queued whose job was never sent (the
 * process died between commit and enqueue) gets its job. The singleton key makes this a
 * no-op for tile sets whose job already waits.
 */
@Injectable()
export class RequeueQueuedTileSetsUseCase {
  constructor(
    private readonly tileSets: TileSetRepository,
    private readonly queue: JobQueue,
  ) {}

  async execute(): Promise<number> {
    const queued = await this.tileSets.findQueued(10_000);
    for (const tileSet of queued) {
      await this.queue.enqueue(GENERATE_TILE_SET_JOB, { tileSetId: tileSet.id }, { singletonKey: tileSet.id });
    }
    return queued.length;
  }
}
