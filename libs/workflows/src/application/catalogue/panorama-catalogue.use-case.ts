import { Injectable } from '@nestjs/common';
import {
  type Actor,
  type DescribedPanorama,
  DescribePanoramaUseCase,
  GetPanoramaUseCase,
  type ListPanoramasInput,
  ListPanoramasUseCase,
  type PanoramaView,
  type UpdatePanoramaInput,
  UpdatePanoramaUseCase,
} from '#panoramas';
import { type Rendition, RenditionsOfPanoramasUseCase } from '#renditions';
import { type Collection, CollectionsUseCase } from '#collections';
import type { Page, ShareGrant } from '#shared-kernel';

/** A panorama with everything derived from it: tile sets and renditions. */
export interface PanoramaWithDerivatives extends PanoramaView {
  renditions: Rendition[];
}

/** A panorama's thumbnail among its renditions: the `thumb` preset's, when it is ready. */
export const readyThumbnail = (renditions: readonly Rendition[]): Rendition | undefined =>
  renditions.find((r) => r.name === 'thumb' && r.status === 'ready');

/** Attaches to panorama views what is derived from them, for a whole page in one query. */
@Injectable()
export class PanoramaDerivatives {
  constructor(private readonly renditionsOf: RenditionsOfPanoramasUseCase) {}

  /** Views already loaded for an actor, each with its renditions (oldest first). */
  async attach<V extends PanoramaView>(views: V[]): Promise<(V & PanoramaWithDerivatives)[]> {
    const renditions = await this.renditionsOf.execute(views.map((v) => v.panorama.id));
    return views.map((view) => ({ ...view, renditions: renditions.get(view.panorama.id) ?? [] }));
  }

  /** The thumbnail of a panorama: the `thumb` preset's rendition, when one is ready. */
  async thumbnail(panoramaId: string): Promise<Rendition | null> {
    return readyThumbnail((await this.renditionsOf.execute([panoramaId])).get(panoramaId) ?? []) ?? null;
  }
}

/**
 * Panoramas as readers see them, with their tile sets and renditions: the query that spans
 * the nouns (panoramas do not know renditions).
 */
@Injectable()
export class PanoramaCatalogueUseCase {
  constructor(
    private readonly listPanoramas: ListPanoramasUseCase,
    private readonly getPanorama: GetPanoramaUseCase,
    private readonly updatePanorama: UpdatePanoramaUseCase,
    private readonly describePanorama: DescribePanoramaUseCase,
    private readonly derivatives: PanoramaDerivatives,
    private readonly collections: CollectionsUseCase,
  ) {}

  /**
   * A panorama as a IIIF manifest shows it: its ready flat tile set, and its thumbnail (the
   * `thumb` preset's rendition, when one is ready).
   */
  async describe(actor: Actor, id: string): Promise<DescribedPanorama & { thumbnail: Rendition | null }> {
    const described = await this.describePanorama.forActor(actor, id);
    return { ...described, thumbnail: await this.derivatives.thumbnail(id) };
  }

  async list(actor: Actor, query: ListPanoramasInput): Promise<Page<PanoramaWithDerivatives>> {
    const page = await this.listPanoramas.execute(actor, query);
    return { items: await this.derivatives.attach(page.items), nextCursor: page.nextCursor };
  }

  /**
   * A shared collection as the holder of its link sees it: the collection and a page of its
   * live panoramas (with the listing's filters), read as its owner would list them.
   * CollectionNotFoundError once it is gone.
   */
  async sharedCollection(
    grant: ShareGrant,
    id: string,
    query: Omit<ListPanoramasInput, 'ownerId' | 'ids'>,
  ): Promise<{ collection: Collection; page: Page<PanoramaWithDerivatives> }> {
    const { collection, panoramaIds } = await this.collections.sharedMembers(grant, id);
    const ownerId = collection.props.ownerId;
    const page = await this.list({ userId: ownerId, role: 'user' }, { ...query, ownerId, ids: panoramaIds });
    return { collection, page };
  }

  async get(actor: Actor, id: string): Promise<PanoramaWithDerivatives> {
    return (await this.derivatives.attach([await this.getPanorama.execute(actor, id)]))[0];
  }

  async update(actor: Actor, id: string, changes: UpdatePanoramaInput): Promise<PanoramaWithDerivatives> {
    return (await this.derivatives.attach([await this.updatePanorama.execute(actor, id, changes)]))[0];
  }
}
