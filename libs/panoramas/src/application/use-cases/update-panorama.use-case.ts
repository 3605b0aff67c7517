import { Injectable } from '@nestjs/common';
import { Clock } from '#shared-kernel';
import { SPHERE_TILE_OPTIONS, TileSetRepository, TileSetRequests } from '#tiles';
import type { Actor } from '../../domain/panorama.js';
import type { Projection } from '../../domain/projection.js';
import { PanoramaNotFoundError } from '../../domain/panoramas.errors.js';
import { PanoramaAccess } from '../panorama-access.service.js';
import type { PanoramaView } from '../panorama-view.js';
import { PanoramaRepository } from '../ports/panorama.repository.port.js';

export interface UpdatePanoramaInput {
  title?: string;
  /** null clears it. */
  description?: string | null;
  /** Corrects what the upload detected. */
  projection?: Projection;
  /** Replaces the tags (duplicates once). */
  tags?: readonly string[];
}

@Injectable()
export class UpdatePanoramaUseCase {
  constructor(
    private readonly access: PanoramaAccess,
    private readonly panoramas: PanoramaRepository,
    private readonly tileSets: TileSetRepository,
    private readonly tileSetRequests: TileSetRequests,
    private readonly clock: Clock,
  ) {}

  async execute(actor: Actor, id: string, input: UpdatePanoramaInput): Promise<PanoramaView> {
    await this.access.writable(actor, id);
    const updated = await this.panoramas.update(id, {
      ...(input.title === undefined ? {} : { title: input.title.trim() }),
      ...(input.description === undefined ? {} : { description: input.description }),
      ...(input.projection === undefined ? {} : { projection: input.projection }),
      ...(input.tags === undefined ? {} : { tags: [...new Set(input.tags)] }),
      updatedAt: this.clock.now(),
    });
    if (!updated) throw new PanoramaNotFoundError();
    // Now a sphere: the tile set 360° viewers read (kept if it turns flat again: it is cheap to keep).
    if (updated.projection === 'equirectangular')
      await this.tileSetRequests.ensure(updated.imageSource(), SPHERE_TILE_OPTIONS);
    return { panorama: updated, tileSets: await this.tileSets.findByPanorama(id) };
  }
}
