import { DomainError } from '#shared-kernel';

export const COLLECTIONS_ERROR_CODES = ['COLLECTION_NOT_FOUND', 'COLLECTION_LIMIT_REACHED', 'COLLECTION_FULL'] as const;
export type CollectionsErrorCode = (typeof COLLECTIONS_ERROR_CODES)[number];

export abstract class CollectionsError extends DomainError {
  abstract override readonly code: CollectionsErrorCode;
}

/** Missing and someone else's look the same. */
export class CollectionNotFoundError extends CollectionsError {
  readonly code = 'COLLECTION_NOT_FOUND';
  constructor() {
    super('No collection with this id exists.');
  }
}

export class CollectionLimitReachedError extends CollectionsError {
  readonly code = 'COLLECTION_LIMIT_REACHED';
  constructor(limit: number) {
    super(`A user has at most ${limit} collections; delete one first.`);
  }
}

export class CollectionFullError extends CollectionsError {
  readonly code = 'COLLECTION_FULL';
  constructor(limit: number) {
    super(`A collection holds at most ${limit} panoramas.`);
  }
}
