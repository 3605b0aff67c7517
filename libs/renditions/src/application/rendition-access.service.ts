import { Injectable } from '@nestjs/common';
import { type Panorama, PanoramaRepository } from '#panoramas';
import { type Actor, assertReadable, canRead, canWrite, type Reader } from '#shared-kernel';
import type { Rendition } from '../domain/rendition.js';
import { RenditionNotFoundError } from '../domain/renditions.errors.js';
import { RenditionRepository } from './ports/rendition.repository.port.js';

/**
 * Loads a rendition for an actor, as panoramas are: missing, of a deleted panorama and
 * someone else's all end in the same RenditionNotFoundError.
 */
@Injectable()
export class RenditionAccess {
  constructor(
    private readonly renditions: RenditionRepository,
    private readonly panoramas: PanoramaRepository,
  ) {}

  async readable(actor: Actor, id: string): Promise<Rendition> {
    return (await this.load(id, (rendition) => canRead(actor, rendition))).rendition;
  }

  /** The rendition and its panorama; a share link's reader gets ShareLinkRevokedError once revoked. */
  readableWithPanorama(reader: Reader, id: string): Promise<{ rendition: Rendition; panorama: Panorama }> {
    return this.load(id, (rendition) => {
      assertReadable(reader, 'rendition', rendition, () => new RenditionNotFoundError());
      return true;
    });
  }

  async writable(actor: Actor, id: string): Promise<Rendition> {
    return (await this.load(id, (rendition) => canWrite(actor, rendition))).rendition;
  }

  private async load(
    id: string,
    allowed: (rendition: Rendition) => boolean,
  ): Promise<{ rendition: Rendition; panorama: Panorama }> {
    const rendition = await this.renditions.findById(id);
    const panorama = rendition && allowed(rendition) ? await this.panoramas.findById(rendition.panoramaId) : null;
    if (!rendition || !panorama) throw new RenditionNotFoundError();
    return { rendition, panorama };
  }
}
