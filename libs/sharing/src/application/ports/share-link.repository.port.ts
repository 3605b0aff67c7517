import type { ShareKind, ShareLink } from '../../domain/share-link.js';

/** A revoked link that has not expired yet: until then its token still verifies. */
export interface RevokedShareLink {
  id: string;
  expiresAt: Date;
}

export abstract class ShareLinkRepository {
  /**
   * Adds `link` unless its resource already has `limit` active links (then false). Racing
   * calls for one resource are ordered, so the limit holds. Links of the resource that
   * expired before `forgetBefore` are deleted on the way.
   */
  abstract insertWithin(link: ShareLink, limit: number, now: Date, forgetBefore: Date): Promise<boolean>;
  /** The active (unrevoked, unexpired) links of a resource, newest first. */
  abstract listActive(kind: ShareKind, resourceId: string, now: Date): Promise<ShareLink[]>;
  /** Sets the label of an active link of the resource; the link as changed, or null. */
  abstract relabel(
    kind: ShareKind,
    resourceId: string,
    id: string,
    label: string | null,
    now: Date,
  ): Promise<ShareLink | null>;
  /** Revokes an active link of the resource: its expiry, or null when there is none with this id. */
  abstract revoke(kind: ShareKind, resourceId: string, id: string, at: Date): Promise<Date | null>;
  /** Revokes every active link of the resource; those it revoked. */
  abstract revokeAll(kind: ShareKind, resourceId: string, at: Date): Promise<RevokedShareLink[]>;
  /** Every revoked link that has not expired yet (what each API process keeps in memory). */
  abstract revokedUnexpired(now: Date): Promise<RevokedShareLink[]>;
  /** Records when links were last used (a batch: link id -> time); later times only. */
  abstract recordUse(uses: ReadonlyMap<string, Date>): Promise<void>;
}
