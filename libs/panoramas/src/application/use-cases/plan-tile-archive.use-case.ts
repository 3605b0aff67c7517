import { Injectable } from '@nestjs/common';
import { type ObjectRead, ObjectStorage, type Reader } from '#shared-kernel';
import { deepZoomDescriptor, GetTileManifestUseCase, tileKey } from '#tiles';
import { DescribePanoramaUseCase } from './describe-panorama.use-case.js';

/** A stored file of the archive, read only when its turn comes. */
export interface TileArchiveFile {
  /** Path inside the archive. */
  name: string;
  bytes: number;
  open(): Promise<ObjectRead>;
}

export interface TileArchivePlan {
  /** `alps.jpg` -> `alps-tiles.zip` (`alps-360-tiles.zip` for a sphere's tile set). */
  fileName: string;
  tileSetId: string;
  files: TileArchiveFile[];
  /** Small files written from memory (the Deep Zoom descriptor). */
  extras: { name: string; content: string }[];
}

/**
 * Plans the zip of a ready tile set for whoever may read it (owner, admin, share link): the
 * tiles as `image_files/...` (opened one at a time by whoever writes the zip) and the Deep
 * Zoom descriptor, named after the panorama's original as its renditions are.
 */
@Injectable()
export class PlanTileArchiveUseCase {
  constructor(
    private readonly manifests: GetTileManifestUseCase,
    private readonly describe: DescribePanoramaUseCase,
    private readonly storage: ObjectStorage,
  ) {}

  async execute(reader: Reader, tileSetId: string): Promise<TileArchivePlan> {
    const { tileSet, manifest } = await this.manifests.execute(reader, tileSetId);
    const { panorama } = await this.describe.ofTileSet(tileSet);
    const stem = panorama.originalFilename.replace(/\.[^.]*$/, '') || 'panorama';
    return {
      fileName: `${stem}-${tileSet.layout === 'sphere' ? '360-tiles' : 'tiles'}.zip`,
      tileSetId,
      files: manifest.tiles.map((tile) => ({
        name: `image_files/${tile.path}`,
        bytes: tile.bytes,
        open: () => this.storage.get(tileKey(tileSetId, tile.path)),
      })),
      extras: [{ name: 'image.dzi', content: deepZoomDescriptor(tileSet.spec(), tileSet.format) }],
    };
  }
}
