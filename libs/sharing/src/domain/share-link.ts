import type { ShareGrant } from '#shared-kernel';

export type ShareKind = ShareGrant['share'];

/** The longest label a link may carry (characters). */
export const SHARE_LABEL_MAX_LENGTH = 100;

export interface ShareLinkProps {
  id: string;
  kind: ShareKind;
  /** The tile set or rendition the link grants. */
  resourceId: string;
  /** Who asked for it (the resource's owner). */
  createdBy: string;
  /** Who it is for, in the owner's words ("Anna, for the print shop"); null: none. */
  label: string | null;
  /** The share-link key that signed its token, and the resource's share epoch then. */
  keyId: string;
  epoch: number;
  createdAt: Date;
  expiresAt: Date;
  revokedAt: Date | null;
  /** When a request last came through it (recorded in batches: minutes late at most). */
  lastUsedAt: Date | null;
}

/**
 * A listed share link: one capability URL that its owner can see, label and revoke without
 * touching the others. Its token is signed over the link's id, so the id cannot be changed,
 * and revoking the link (revokedAt) ends it wherever it was pasted.
 */
export class ShareLink {
  id!: string;
  kind!: ShareKind;
  resourceId!: string;
  createdBy!: string;
  label!: string | null;
  keyId!: string;
  epoch!: number;
  createdAt!: Date;
  expiresAt!: Date;
  revokedAt!: Date | null;
  lastUsedAt!: Date | null;

  constructor(props: ShareLinkProps) {
    Object.assign(this, props);
  }

  isActive(now: Date): boolean {
    return this.revokedAt === null && this.expiresAt.getTime() > now.getTime();
  }

  /** What the link's token grants. */
  grant(): ShareGrant {
    return { share: this.kind, id: this.resourceId, epoch: this.epoch, link: this.id };
  }
}

/** A label as kept: trimmed, and none when blank. (Length and line breaks are checked at the edge.) */
export const shareLabel = (label: string | null | undefined): string | null => label?.trim() || null;
