import { Injectable } from '@nestjs/common';
import { type TileOptions, type TileSet, TileSetRepository, TileSetRequests } from '#tiles';
import type { Actor } from '../../domain/panorama.js';
import { PanoramaAccess } from '../panorama-access.service.js';

/** Asks for a tile set with given options: the existing one (created false) or a new, queued one. */
@Injectable()
export class RequestTileSetUseCase {
  constructor(
    private readonly access: PanoramaAccess,
    private readonly requests: TileSetRequests,
  ) {}

  async execute(
    actor: Actor,
    panoramaId: string,
    options: Partial<TileOptions>,
  ): Promise<{ tileSet: TileSet; created: boolean }> {
    const panorama = await this.access.writable(actor, panoramaId);
    return this.requests.ensure(panorama.imageSource(), options);
  }
}

@Injectable()
export class ListTileSetsUseCase {
  constructor(
    private readonly access: PanoramaAccess,
    private readonly tileSets: TileSetRepository,
  ) {}

  async execute(actor: Actor, panoramaId: string): Promise<TileSet[]> {
    await this.access.readable(actor, panoramaId);
    return this.tileSets.findByPanorama(panoramaId);
  }
}
