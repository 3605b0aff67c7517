import { Injectable } from '@nestjs/common';
import { RenditionRepository } from '../ports/rendition.repository.port.js';
import { RenditionRequests } from '../rendition-requests.service.js';

/** Reconciliation: renditions committed as queued whose job was never sent get it. */
@Injectable()
export class RequeueQueuedRenditionsUseCase {
  constructor(
    private readonly renditions: RenditionRepository,
    private readonly requests: RenditionRequests,
  ) {}

  async execute(): Promise<number> {
    const queued = await this.renditions.findQueued(10_000);
    for (const rendition of queued) await this.requests.enqueue(rendition.id);
    return queued.length;
  }
}
