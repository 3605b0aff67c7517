import { SharedKernelError } from '../domain-error.js';

export class ObjectNotFoundError extends SharedKernelError {
  readonly code = 'OBJECT_NOT_FOUND';
  constructor(key: string) {
    super('The stored object does not exist.', { key });
  }
}

/** A key that could escape the storage root or is not of the server-built shape. A bug, not user error. */
export class InvalidStorageKeyError extends SharedKernelError {
  readonly code = 'INVALID_STORAGE_KEY';
  constructor(key: string) {
    super(`Invalid storage key: ${JSON.stringify(key.slice(0, 200))}`);
  }
}

export class RangeNotSatisfiableError extends SharedKernelError {
  readonly code = 'RANGE_NOT_SATISFIABLE';
  constructor(readonly size: number) {
    super('The requested range lies outside the object.', { size });
  }
}

/** The storage backend cannot be reached or refused service; retrying later may work. */
export class StorageUnavailableError extends SharedKernelError {
  readonly code = 'STORAGE_UNAVAILABLE';
  override readonly retryable = true;
  constructor(cause?: unknown) {
    super('The file storage is unavailable; retry shortly.');
    this.cause = cause;
  }
}

const KEY = /^[a-z0-9_-][a-z0-9_.-]*(\/[a-z0-9_-][a-z0-9_.-]*)*$/;

/** Validates a full key (`tilesets/ab/0/0_0.jpg`). */
export function assertStorageKey(key: string): void {
  if (key.length === 0 || key.length > 512 || !KEY.test(key) || key.split('/').includes('..'))
    throw new InvalidStorageKeyError(key);
}

/** Validates a prefix: a key ending in `/`. */
export function assertStoragePrefix(prefix: string): void {
  if (!prefix.endsWith('/')) throw new InvalidStorageKeyError(prefix);
  assertStorageKey(prefix.slice(0, -1));
}
