import { Injectable } from '@nestjs/common';
import { PanoramaAccess, PanoramaRepository, QuotaExceededError, UserQuotas } from '#panoramas';
import type { Actor } from '#shared-kernel';
import type { RenditionRequest } from '../../domain/rendition-spec.js';
import type { Rendition } from '../../domain/rendition.js';
import { RenditionRequests } from '../rendition-requests.service.js';

/**
 * Asks for a rendition of one's panorama: a new, queued one, or the existing one with the
 * same normalised spec (queued again if it had failed). An owner already at the byte quota is refused now (the
 * exact check, with the file's size, is made when it is ready).
 */
@Injectable()
export class CreateRenditionUseCase {
  constructor(
    private readonly access: PanoramaAccess,
    private readonly panoramas: PanoramaRepository,
    private readonly quotas: UserQuotas,
    private readonly requests: RenditionRequests,
  ) {}

  async execute(
    actor: Actor,
    panoramaId: string,
    request: RenditionRequest,
  ): Promise<{ rendition: Rendition; created: boolean; retried: boolean }> {
    const panorama = await this.access.writable(actor, panoramaId);
    const [quota, usage] = await Promise.all([
      this.quotas.forUser(panorama.ownerId),
      this.panoramas.usage(panorama.ownerId),
    ]);
    if (usage.bytes >= quota.maxBytes) throw new QuotaExceededError('bytes', quota.maxBytes, usage.bytes);
    return this.requests.ensure(panorama, request, null);
  }
}
