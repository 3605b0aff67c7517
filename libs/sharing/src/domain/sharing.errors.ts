import { DomainError } from '#shared-kernel';

export const SHARING_ERROR_CODES = ['SHARE_LINK_NOT_FOUND', 'SHARE_LINK_LIMIT_REACHED'] as const;
export type SharingErrorCode = (typeof SHARING_ERROR_CODES)[number];

/** This module's errors: `code` is one of its list. */
export abstract class SharingError extends DomainError {
  abstract override readonly code: SharingErrorCode;
}

/** No active link with this id on this resource (never made, expired, revoked, or another's). */
export class ShareLinkNotFoundError extends SharingError {
  readonly code = 'SHARE_LINK_NOT_FOUND';
  constructor() {
    super('No active share link with this id exists on this resource.');
  }
}

/** The resource already has as many active listed links as one may have. */
export class ShareLinkLimitReachedError extends SharingError {
  readonly code = 'SHARE_LINK_LIMIT_REACHED';
  constructor(limit: number) {
    super(`This resource already has ${limit} active share links: revoke one, or wait for one to expire.`, {
      limit,
    });
  }
}
