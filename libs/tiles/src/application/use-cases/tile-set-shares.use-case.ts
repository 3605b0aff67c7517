import { Injectable } from '@nestjs/common';
import { type Actor, Clock, type ShareGrant } from '#shared-kernel';
import { TileSetNotFoundError } from '../../domain/tiles.errors.js';
import { TileSetRepository } from '../ports/tile-set.repository.port.js';
import { ReadyTileSets } from '../ready-tile-sets.service.js';
import { TileSetAccess } from '../tile-set-access.service.js';

/**
 * Share links of a tile set: what a new link grants (the HTTP edge signs it), and revoking
 * every link at once by raising the tile set's share epoch. Owners only.
 */
@Injectable()
export class TileSetSharesUseCase {
  constructor(
    private readonly access: TileSetAccess,
    private readonly tileSets: TileSetRepository,
    private readonly ready: ReadyTileSets,
    private readonly clock: Clock,
  ) {}

  async grant(actor: Actor, id: string): Promise<ShareGrant> {
    const tileSet = await this.access.writable(actor, id);
    return { share: 'tileset', id, epoch: tileSet.shareEpoch };
  }

  async revokeAll(actor: Actor, id: string): Promise<void> {
    await this.access.writable(actor, id);
    if (!(await this.tileSets.raiseShareEpoch(id, this.clock.now()))) throw new TileSetNotFoundError();
    // This instance at once; the others through the change feed (the row's update trigger).
    this.ready.evict(id);
  }
}
