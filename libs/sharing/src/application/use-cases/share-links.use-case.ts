import { Injectable } from '@nestjs/common';
import { CollectionsUseCase } from '#collections';
import { RenditionSharesUseCase } from '#renditions';
import { type Actor, Clock, newId, type ShareGrant } from '#shared-kernel';
import { TileSetSharesUseCase } from '#tiles';
import { ShareLink, type ShareKind, shareLabel } from '../../domain/share-link.js';
import { ShareLinkLimitReachedError, ShareLinkNotFoundError } from '../../domain/sharing.errors.js';
import { ShareLinkRepository } from '../ports/share-link.repository.port.js';
import { RevokedShareLinks } from '../revoked-share-links.service.js';
import { ShareLinkUse } from '../share-link-use.service.js';
import { SharingSettings } from '../sharing.settings.js';

/** Expired links are kept (and listable by nobody) this long, then deleted. */
const FORGET_AFTER_MS = 30 * 24 * 3600_000;

export interface NewShareLink {
  /** Lifetime in seconds (default and cap from the settings). */
  ttlSeconds?: number;
  label?: string | null;
  /**
   * false: a link for the caller's own use (the web app's viewer): nothing is stored, it is
   * not listed and ends only when every link of the resource is revoked. A collection's links
   * are always listed (its members' tokens name the link: revoking it must end them).
   */
  listed?: boolean;
  /** The key that will sign the token (kept, so that a listed link's URLs can be shown again). */
  keyId: string;
}

/**
 * Share links of one tile set, rendition or collection, for its owner: make one (listed, with a label,
 * or unlisted), list the active ones, label one, revoke one, revoke all. Signing the token
 * is the HTTP edge's (it holds the keys); what a link grants and whether it still may is
 * decided here.
 */
@Injectable()
export class ShareLinksUseCase {
  constructor(
    private readonly tileSets: TileSetSharesUseCase,
    private readonly renditions: RenditionSharesUseCase,
    private readonly collections: CollectionsUseCase,
    private readonly links: ShareLinkRepository,
    private readonly revoked: RevokedShareLinks,
    private readonly use: ShareLinkUse,
    private readonly settings: SharingSettings,
    private readonly clock: Clock,
  ) {}

  /** What the new link grants and until when, and its record when listed. */
  async create(
    actor: Actor,
    kind: ShareKind,
    id: string,
    options: NewShareLink,
  ): Promise<{ grant: ShareGrant; expiresAt: Date; link: ShareLink | null }> {
    const grant = await this.grant(actor, kind, id);
    const now = this.clock.now();
    const ttl = Math.min(options.ttlSeconds ?? this.settings.defaultTtlSeconds, this.settings.maxTtlSeconds);
    const expiresAt = new Date((Math.floor(now.getTime() / 1000) + ttl) * 1000);
    if (options.listed === false && kind !== 'collection') return { grant, expiresAt, link: null };
    const link = new ShareLink({
      id: newId(),
      kind,
      resourceId: id,
      createdBy: actor.userId,
      label: shareLabel(options.label),
      keyId: options.keyId,
      epoch: grant.epoch,
      createdAt: now,
      expiresAt,
      revokedAt: null,
      lastUsedAt: null,
    });
    const forgetBefore = new Date(now.getTime() - FORGET_AFTER_MS);
    if (!(await this.links.insertWithin(link, this.settings.maxActiveLinks, now, forgetBefore))) {
      throw new ShareLinkLimitReachedError(this.settings.maxActiveLinks);
    }
    return { grant: link.grant(), expiresAt, link };
  }

  /** The resource's active listed links, newest first, with the uses noted by this process written. */
  async list(actor: Actor, kind: ShareKind, id: string): Promise<ShareLink[]> {
    await this.grant(actor, kind, id);
    await this.use.flush();
    return this.links.listActive(kind, id, this.clock.now());
  }

  async relabel(actor: Actor, kind: ShareKind, id: string, linkId: string, label: string | null): Promise<ShareLink> {
    await this.grant(actor, kind, id);
    const link = await this.links.relabel(kind, id, linkId, shareLabel(label), this.clock.now());
    if (!link) throw new ShareLinkNotFoundError();
    return link;
  }

  /** Ends one link: at once in this process, within moments in every other (RevokedShareLinks). */
  async revoke(actor: Actor, kind: ShareKind, id: string, linkId: string): Promise<void> {
    await this.grant(actor, kind, id);
    const expiresAt = await this.links.revoke(kind, id, linkId, this.clock.now());
    if (!expiresAt) throw new ShareLinkNotFoundError();
    this.revoked.add(linkId, expiresAt);
  }

  /**
   * Ends every link of the resource, listed or not (a tile set's or rendition's share epoch
   * is raised; a collection's links are all listed, each is revoked).
   */
  async revokeAll(actor: Actor, kind: ShareKind, id: string): Promise<void> {
    if (kind === 'tileset') await this.tileSets.revokeAll(actor, id);
    else if (kind === 'rendition') await this.renditions.revokeAll(actor, id);
    else await this.grant(actor, kind, id);
    for (const link of await this.links.revokeAll(kind, id, this.clock.now()))
      this.revoked.add(link.id, link.expiresAt);
  }

  /** Owners only; others learn nothing (the resource's own not-found error). */
  private async grant(actor: Actor, kind: ShareKind, id: string): Promise<ShareGrant> {
    switch (kind) {
      case 'tileset':
        return this.tileSets.grant(actor, id);
      case 'rendition':
        return this.renditions.grant(actor, id);
      case 'collection':
        await this.collections.owned(actor, id);
        // No epoch of its own: every link is listed, revoked one by one (revokeAll too).
        return { share: 'collection', id, epoch: 0 };
    }
  }
}
