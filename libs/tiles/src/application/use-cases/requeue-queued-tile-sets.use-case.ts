import { Injectable } from '@nestjs/common';
import { TileSetRepository } from '../ports/tile-set.repository.port.js';
import { TileSetRequests } from '../tile-set-requests.service.js';

/**
 * Start-up reconciliation: a tile set committed as queued whose job was never sent (the
 * process died between commit and enqueue) gets its job. The singleton key makes this a
 * no-op for tile sets whose job already waits.
 */
@Injectable()
export class RequeueQueuedTileSetsUseCase {
  constructor(
    private readonly tileSets: TileSetRepository,
    private readonly requests: TileSetRequests,
  ) {}

  async execute(): Promise<number> {
    const queued = await this.tileSets.findQueued(10_000);
    for (const tileSet of queued) {
      await this.requests.enqueue(tileSet.id);
    }
    return queued.length;
  }
}
