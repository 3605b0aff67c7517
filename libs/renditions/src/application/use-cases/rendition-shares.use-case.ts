import { Injectable } from '@nestjs/common';
import { type Actor, Clock, type ShareGrant } from '#shared-kernel';
import { RenditionNotFoundError } from '../../domain/renditions.errors.js';
import { RenditionRepository } from '../ports/rendition.repository.port.js';
import { RenditionAccess } from '../rendition-access.service.js';

/** Share links of a rendition (signed by the HTTP edge) and revoking them all at once. Owners only. */
@Injectable()
export class RenditionSharesUseCase {
  constructor(
    private readonly access: RenditionAccess,
    private readonly renditions: RenditionRepository,
    private readonly clock: Clock,
  ) {}

  async grant(actor: Actor, id: string): Promise<ShareGrant> {
    const rendition = await this.access.writable(actor, id);
    return { share: 'rendition', id, epoch: rendition.shareEpoch };
  }

  async revokeAll(actor: Actor, id: string): Promise<void> {
    await this.access.writable(actor, id);
    if (!(await this.renditions.raiseShareEpoch(id, this.clock.now()))) throw new RenditionNotFoundError();
  }
}
