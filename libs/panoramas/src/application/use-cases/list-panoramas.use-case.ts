import { Injectable } from '@nestjs/common';
import type { Page } from '#shared-kernel';
import { TileSetRepository } from '#tiles';
import type { Actor } from '../../domain/panorama.js';
import type { PanoramaView } from '../panorama-view.js';
import { PanoramaRepository } from '../ports/panorama.repository.port.js';

export interface ListPanoramasInput {
  limit: number;
  cursor?: string;
  title?: string;
  /** Admins only: list this user's panoramas instead of their own. */
  ownerId?: string;
  tags?: readonly string[];
  uploadedFrom?: Date;
  uploadedBefore?: Date;
  /** Only these (a collection's panoramas). */
  ids?: readonly string[];
}

/** The caller's panoramas, newest first. Never anyone else's, except for an admin who asks. */
@Injectable()
export class ListPanoramasUseCase {
  constructor(
    private readonly panoramas: PanoramaRepository,
    private readonly tileSets: TileSetRepository,
  ) {}

  async execute(actor: Actor, input: ListPanoramasInput): Promise<Page<PanoramaView>> {
    const ownerId = actor.role === 'admin' && input.ownerId ? input.ownerId : actor.userId;
    const page = await this.panoramas.list({
      ownerId,
      limit: input.limit,
      cursor: input.cursor,
      title: input.title,
      tags: input.tags,
      createdFrom: input.uploadedFrom,
      createdBefore: input.uploadedBefore,
      ids: input.ids,
    });
    const tileSets = await this.tileSets.findByPanoramas(page.items.map((p) => p.id));
    return {
      items: page.items.map((panorama) => ({ panorama, tileSets: tileSets.get(panorama.id) ?? [] })),
      nextCursor: page.nextCursor,
    };
  }
}
