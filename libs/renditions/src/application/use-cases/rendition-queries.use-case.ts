import { Injectable } from '@nestjs/common';
import { PanoramaAccess } from '#panoramas';
import { type Actor, type ByteRange, type ObjectRead, ObjectStorage, type Reader } from '#shared-kernel';
import { downloadName, type Rendition } from '../../domain/rendition.js';
import { RenditionNotReadyError } from '../../domain/renditions.errors.js';
import { RenditionRepository } from '../ports/rendition.repository.port.js';
import { RenditionAccess } from '../rendition-derivative.js';

/** The renditions of a panorama one may read, oldest first. */
@Injectable()
export class ListRenditionsUseCase {
  constructor(
    private readonly access: PanoramaAccess,
    private readonly renditions: RenditionRepository,
  ) {}

  async execute(actor: Actor, panoramaId: string): Promise<Rendition[]> {
    await this.access.readable(actor, panoramaId);
    return this.renditions.findByPanorama(panoramaId);
  }
}

@Injectable()
export class GetRenditionUseCase {
  constructor(private readonly access: RenditionAccess) {}

  execute(actor: Actor, id: string): Promise<Rendition> {
    return this.access.readable(actor, id);
  }
}

/** A ready rendition's file (or a byte range of it). */
@Injectable()
export class ReadRenditionFileUseCase {
  constructor(
    private readonly access: RenditionAccess,
    private readonly storage: ObjectStorage,
  ) {}

  /**
   * The rendition, if `actor` may read it and it is ready (else the matching error), with the
   * name to save it as.
   */
  async find(actor: Reader, id: string): Promise<{ rendition: Rendition; filename: string }> {
    const { rendition, panorama } = await this.access.readableWithPanorama(actor, id);
    if (rendition.status !== 'ready') throw new RenditionNotReadyError(rendition.status);
    return { rendition, filename: downloadName(panorama.originalFilename, rendition) };
  }

  open(rendition: Rendition, range?: ByteRange): Promise<ObjectRead> {
    return this.storage.get(rendition.key, range);
  }
}

/**
 * The renditions of panoramas the caller has already loaded for an actor (a panorama's view,
 * a page of them): by panorama id, oldest first.
 */
@Injectable()
export class RenditionsOfPanoramasUseCase {
  constructor(private readonly renditions: RenditionRepository) {}

  execute(panoramaIds: string[]): Promise<Map<string, Rendition[]>> {
    return this.renditions.findByPanoramas(panoramaIds);
  }
}
