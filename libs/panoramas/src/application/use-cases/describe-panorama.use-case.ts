import { Injectable } from '@nestjs/common';
import type { Reader } from '#shared-kernel';
import {
  ReadyTileSets,
  readyTileSet,
  type TileSet,
  TileSetNotFoundError,
  TileSetNotReadyError,
  TileSetRepository,
} from '#tiles';
import type { Actor, Panorama } from '../../domain/panorama.js';
import { PanoramaAccess } from '../panorama-access.service.js';
import { PanoramaRepository } from '../ports/panorama.repository.port.js';

export interface DescribedPanorama {
  panorama: Panorama;
  /** Its flat (Deep Zoom) tile set that is ready, the oldest when there are several. */
  tileSet: TileSet;
}

/**
 * A panorama with the ready tile set that shows it, for descriptions of the whole (IIIF
 * Presentation manifests): by panorama for an actor, or by a tile set the caller may already
 * read (through a share link) for its panorama.
 */
@Injectable()
export class DescribePanoramaUseCase {
  constructor(
    private readonly access: PanoramaAccess,
    private readonly panoramas: PanoramaRepository,
    private readonly tileSets: TileSetRepository,
    private readonly ready: ReadyTileSets,
  ) {}

  /** PanoramaNotFoundError as for any read; TileSetNotReadyError while no flat tile set is ready. */
  async forActor(actor: Actor, panoramaId: string): Promise<DescribedPanorama> {
    const panorama = await this.access.readable(actor, panoramaId);
    const all = await this.tileSets.findByPanorama(panoramaId);
    const tileSet = readyTileSet(all);
    if (!tileSet) throw new TileSetNotReadyError(all.find((t) => t.layout === 'deepzoom')?.status ?? 'queued');
    return { panorama, tileSet };
  }

  /**
   * By a ready tile set `reader` may read (a share link's grant, an owner): its panorama, as
   * the tile set's own read rules decide (TileSetNotFoundError, ShareLinkRevokedError...).
   */
  async forTileSetReader(reader: Reader, tileSetId: string): Promise<DescribedPanorama> {
    const { tileSet } = await this.ready.forReader(reader, tileSetId);
    return this.ofTileSet(tileSet);
  }

  /** The panorama of `tileSet`, which the caller has checked may be read; TileSetNotFoundError once it is gone. */
  async ofTileSet(tileSet: TileSet): Promise<DescribedPanorama> {
    const panorama = await this.panoramas.findById(tileSet.panoramaId);
    if (!panorama) throw new TileSetNotFoundError();
    return { panorama, tileSet };
  }
}
