import { Injectable } from '@nestjs/common';
import { Clock } from '#shared-kernel';
import { TileSetRepository } from '../ports/tile-set.repository.port.js';
import { TileSetRequests } from '../tile-set-requests.service.js';

export type TileSetRepair = 'recut' | 'fail';

/** The error code of a tile set failed because its stored tiles were found damaged. */
export const DAMAGED_TILES = 'DAMAGED_TILES';

/**
 * What to do with a tile set whose stored objects are damaged: cut it again from its
 * original (`recut`: queued, then the usual job, which clears the prefix first), or mark it
 * failed (`fail`, error code DAMAGED_TILES) so that nothing serves it. Returns whether the
 * tile set was in a state to be repaired so.
 */
@Injectable()
export class RepairTileSetUseCase {
  constructor(
    private readonly tileSets: TileSetRepository,
    private readonly requests: TileSetRequests,
    private readonly clock: Clock,
  ) {}

  async execute(tileSetId: string, repair: TileSetRepair): Promise<boolean> {
    const now = this.clock.now();
    if (repair === 'fail') return this.tileSets.condemn(tileSetId, DAMAGED_TILES, now);
    if (!(await this.tileSets.requeue(tileSetId, now))) return false;
    await this.requests.enqueue(tileSetId);
    return true;
  }
}
