import { Injectable } from '@nestjs/common';
import { type ByteRange, ObjectNotFoundError, type ObjectRead, ObjectStorage } from '#shared-kernel';
import type { Actor, Panorama } from '../../domain/panorama.js';
import { PanoramaNotFoundError } from '../../domain/panoramas.errors.js';
import { PanoramaAccess } from '../panorama-access.service.js';

/** The stored original, whole or a byte range of it. */
@Injectable()
export class ReadOriginalUseCase {
  constructor(
    private readonly access: PanoramaAccess,
    private readonly storage: ObjectStorage,
  ) {}

  /** The panorama alone (for conditional requests and range maths before any read). */
  find(actor: Actor, id: string): Promise<Panorama> {
    return this.access.readable(actor, id);
  }

  async execute(panorama: Panorama, range?: ByteRange): Promise<ObjectRead> {
    try {
      return await this.storage.get(panorama.originalKey, range);
    } catch (error) {
      // A row without its file is an integrity fault; to the client it is simply gone.
      if (error instanceof ObjectNotFoundError) throw new PanoramaNotFoundError();
      throw error;
    }
  }
}
