import { SharedKernelError } from './domain-error.js';

/** Who acts: the caller's id and role, as the access token says. */
export interface Actor {
  userId: string;
  role: 'user' | 'admin';
}

/**
 * What a share link (capability URL) grants: read access to one tile set, one rendition or
 * one collection, while the resource's share epoch is still the one the link was signed with
 * (revoking every link of a resource raises its epoch).
 */
export interface ShareGrant {
  share: 'tileset' | 'rendition' | 'collection';
  id: string;
  epoch: number;
  /**
   * The listed link's id (a share link the owner can see and revoke on its own); absent for
   * an unlisted link, which ends only with all the others.
   */
  link?: string;
  /**
   * A tile set or rendition opened through a collection's link (`link`): the collection,
   * which must still hold it.
   */
  collection?: string;
}

/** Whoever reads: a signed-in actor, or the bearer of a share link. */
export type Reader = Actor | ShareGrant;

export const isShareGrant = (reader: Reader): reader is ShareGrant => 'share' in reader;

/** Owners and admins may read; only owners may change. Others must not learn a thing exists. */
export const canRead = (actor: Actor, resource: { ownerId: string }) =>
  actor.role === 'admin' || actor.userId === resource.ownerId;
export const canWrite = (actor: Actor, resource: { ownerId: string }) => actor.userId === resource.ownerId;

/** canRead, and for a share link: the very resource it was made for, not revoked since. */
export const canReadShared = (
  reader: Reader,
  kind: ShareGrant['share'],
  resource: { id: string; ownerId: string; shareEpoch: number },
) =>
  isShareGrant(reader)
    ? reader.share === kind && reader.id === resource.id && reader.epoch === resource.shareEpoch
    : canRead(reader, resource);

/** A share link whose resource has revoked its links since it was made. */
export class ShareLinkRevokedError extends SharedKernelError {
  readonly code = 'SHARE_LINK_REVOKED';
  constructor() {
    super('This share link has been revoked by the owner.');
  }
}

/**
 * Throws unless `reader` may read `resource`: a revoked share link is ShareLinkRevokedError
 * (the link was valid: saying so is no leak); anything else is `notFound` (missing and
 * someone else's look the same).
 */
export function assertReadable(
  reader: Reader,
  kind: ShareGrant['share'],
  resource: { id: string; ownerId: string; shareEpoch: number },
  notFound: () => Error,
): void {
  if (canReadShared(reader, kind, resource)) return;
  if (isShareGrant(reader) && reader.share === kind && reader.id === resource.id) throw new ShareLinkRevokedError();
  throw notFound();
}
