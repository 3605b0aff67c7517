import { Injectable } from '@nestjs/common';
import { ObjectStorage } from '#shared-kernel';
import { TileSetRepository } from '#tiles';
import { PanoramaRepository } from '../ports/panorama.repository.port.js';

/**
 * Second half of a deletion: removes the original and every tile set's objects, then the
 * rows. Storage first, rows last, so a failure half-way leaves a row that a retry can
 * finish from, never objects without a row. Safe to run any number of times.
 */
@Injectable()
export class PurgePanoramaUseCase {
  constructor(
    private readonly panoramas: PanoramaRepository,
    private readonly tileSets: TileSetRepository,
    private readonly storage: ObjectStorage,
  ) {}

  async execute(panoramaId: string): Promise<void> {
    const panorama = await this.panoramas.findByIdIncludingDeleted(panoramaId);
    if (!panorama?.deletedAt) return; // gone already, or not being deleted
    await this.storage.deletePrefix(panorama.originalPrefix());
    for (const tileSet of await this.tileSets.findByPanorama(panoramaId))
      await this.storage.deletePrefix(tileSet.storagePrefix());
    await this.panoramas.purge(panoramaId);
  }
}
