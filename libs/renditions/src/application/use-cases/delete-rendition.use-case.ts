import { Injectable } from '@nestjs/common';
import { type Actor, ObjectStorage } from '#shared-kernel';
import { RenditionRepository } from '../ports/rendition.repository.port.js';
import { RenditionAccess } from '../rendition-derivative.js';

/** Deletes one's rendition: its file first, then its row (no row ever points at a missing file). */
@Injectable()
export class DeleteRenditionUseCase {
  constructor(
    private readonly access: RenditionAccess,
    private readonly renditions: RenditionRepository,
    private readonly storage: ObjectStorage,
  ) {}

  async execute(actor: Actor, id: string): Promise<void> {
    const rendition = await this.access.writable(actor, id);
    await this.storage.delete(rendition.key);
    await this.renditions.delete(id);
  }
}
