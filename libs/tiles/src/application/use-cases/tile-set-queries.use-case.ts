import { Injectable } from '@nestjs/common';
import type { Actor, Reader } from '#shared-kernel';
import type { TileSet } from '../../domain/tile-set.js';
import { type ReadyTileSet, ReadyTileSets } from '../ready-tile-sets.service.js';
import { TileSetAccess } from '../tile-set-derivative.js';

/** A tile set's record (any status). */
@Injectable()
export class GetTileSetUseCase {
  constructor(private readonly access: TileSetAccess) {}

  execute(actor: Actor, id: string): Promise<TileSet> {
    return this.access.readable(actor, id);
  }
}

/** A ready tile set with its manifest (409 while not ready). */
@Injectable()
export class GetTileManifestUseCase {
  constructor(private readonly ready: ReadyTileSets) {}

  execute(actor: Reader, id: string): Promise<ReadyTileSet> {
    return this.ready.forReader(actor, id);
  }
}
