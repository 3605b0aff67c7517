import { Injectable } from '@nestjs/common';
import { type Actor, canRead, canWrite } from '#shared-kernel';
import type { TileSet } from '../domain/tile-set.js';
import { TileSetNotFoundError } from '../domain/tiles.errors.js';
import { TileSetRepository } from './ports/tile-set.repository.port.js';

/** Missing and someone else's look the same: TileSetNotFoundError. Admins may read all. */
@Injectable()
export class TileSetAccess {
  constructor(private readonly tileSets: TileSetRepository) {}

  async readable(actor: Actor, id: string): Promise<TileSet> {
    const tileSet = await this.tileSets.findById(id);
    if (!tileSet || !canRead(actor, tileSet)) throw new TileSetNotFoundError();
    return tileSet;
  }

  async writable(actor: Actor, id: string): Promise<TileSet> {
    const tileSet = await this.tileSets.findById(id);
    if (!tileSet || !canWrite(actor, tileSet)) throw new TileSetNotFoundError();
    return tileSet;
  }
}
