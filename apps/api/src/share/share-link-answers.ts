import { Injectable } from '@nestjs/common';
import type { Request } from 'express';
import { AppConfig } from '#config';
import type { ShareGrant } from '#shared-kernel';
import type { ShareLink } from '#sharing';
import type { CollectionShareDto, RenditionShareDto, TileSetShareDto } from './dto/share-link.dto.js';
import type { ShareAccess } from './share-link.guard.js';
import { publicOrigin } from '../http/public-origin.js';
import { ShareLinks } from './share-links.js';

/** A link as the use case made or listed it. */
export interface MadeShareLink {
  grant: ShareGrant;
  expiresAt: Date;
  /** Its record; null for an unlisted link. */
  link: ShareLink | null;
}

/** A listed link, as the answers need it. */
export const listedLink = (link: ShareLink): MadeShareLink => ({
  grant: link.grant(),
  expiresAt: link.expiresAt,
  link,
});

/**
 * A share link as the API answers it: its record's fields and its absolute URLs
 * (PUBLIC_BASE_URL when set), the token signed again from the record (the same every
 * time). null: the key that signed it was retired, so the link no longer works.
 */
@Injectable()
export class ShareLinkAnswers {
  constructor(
    private readonly links: ShareLinks,
    private readonly config: AppConfig,
  ) {}

  tileSet(made: MadeShareLink, req: Request): TileSetShareDto | null {
    const base = this.base(made, req);
    if (base === null) return null;
    return {
      ...this.fields(made),
      dziUrl: `${base}/image.dzi`,
      iiifUrl: `${base}/iiif`,
      iiifManifestUrl: `${base}/iiif-manifest`,
      manifestUrl: `${base}/manifest`,
      archiveUrl: `${base}/archive`,
    };
  }

  rendition(made: MadeShareLink, req: Request): RenditionShareDto | null {
    const base = this.base(made, req);
    return base === null ? null : { ...this.fields(made), fileUrl: `${base}/file` };
  }

  collection(made: MadeShareLink, req: Request): CollectionShareDto | null {
    const base = this.base(made, req);
    if (base === null) return null;
    return {
      ...this.fields(made),
      pageUrl: base.replace('/v1/s/', '/s/'),
      url: base,
      iiifCollectionUrl: `${base}/iiif-collection`,
    };
  }

  /**
   * Where a member (tile set or rendition) of the collection `access` opens is reached under
   * that link, with `origin`: `{origin}/v1/s/{token}/{kind}s/{id}`, the token naming the
   * link, the collection, the member's share epoch and the link's expiry, signed with the
   * link's key (the same every time). null: that key was retired.
   */
  member(
    access: ShareAccess,
    kind: 'tileset' | 'rendition',
    member: { id: string; shareEpoch: number },
    origin: string,
  ): string | null {
    const { grant, expiresAt, keyId } = access;
    const token = this.links.signUntil(
      { share: kind, id: member.id, epoch: member.shareEpoch, link: grant.link, collection: grant.id },
      expiresAt,
      keyId,
    );
    return token === null ? null : `${origin}/v1/s/${token}/${kind}s/${member.id}`;
  }

  private base(made: MadeShareLink, req: Request): string | null {
    const token = this.links.signUntil(made.grant, made.expiresAt, made.link?.keyId ?? this.links.signingKeyId());
    const origin = publicOrigin(this.config, req);
    return token === null ? null : `${origin}/v1/s/${token}/${made.grant.share}s/${made.grant.id}`;
  }

  private fields({ expiresAt, link }: MadeShareLink) {
    return {
      id: link?.id ?? null,
      label: link?.label ?? null,
      createdAt: (link?.createdAt ?? new Date()).toISOString(),
      expiresAt: expiresAt.toISOString(),
      lastUsedAt: link?.lastUsedAt?.toISOString() ?? null,
    };
  }
}
