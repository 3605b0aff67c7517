import { Injectable } from '@nestjs/common';
import { TileSetRepository } from '#tiles';
import type { Actor } from '../../domain/panorama.js';
import { PanoramaAccess } from '../panorama-access.service.js';
import type { PanoramaView } from '../panorama-view.js';

@Injectable()
export class GetPanoramaUseCase {
  constructor(
    private readonly access: PanoramaAccess,
    private readonly tileSets: TileSetRepository,
  ) {}

  async execute(actor: Actor, id: string): Promise<PanoramaView> {
    const panorama = await this.access.readable(actor, id);
    return { panorama, tileSets: await this.tileSets.findByPanorama(id) };
  }
}
