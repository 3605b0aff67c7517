import { Injectable } from '@nestjs/common';
import { type Actor, ObjectStorage } from '#shared-kernel';
import { TileSetNotFoundError } from '../../domain/tiles.errors.js';
import { TileSetRepository } from '../ports/tile-set.repository.port.js';
import { ReadyTileSets } from '../ready-tile-sets.service.js';
import { TileSetAccess } from '../tile-set-derivative.js';

/**
 * Deletes a tile set: objects first, row last (a failure leaves a row to retry from, never
 * objects without one). A job cutting it meanwhile finds the row gone and cleans up after
 * itself.
 */
@Injectable()
export class DeleteTileSetUseCase {
  constructor(
    private readonly access: TileSetAccess,
    private readonly tileSets: TileSetRepository,
    private readonly storage: ObjectStorage,
    private readonly ready: ReadyTileSets,
  ) {}

  async execute(actor: Actor, id: string): Promise<void> {
    const tileSet = await this.access.writable(actor, id);
    this.ready.evict(id);
    await this.storage.deletePrefix(tileSet.storagePrefix());
    if (!(await this.tileSets.delete(id))) throw new TileSetNotFoundError();
  }
}
