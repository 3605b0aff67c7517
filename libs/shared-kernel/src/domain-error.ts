/** The codes of the errors the shared kernel itself throws. */
export const SHARED_KERNEL_ERROR_CODES = [
  'INVALID_CURSOR',
  'OBJECT_NOT_FOUND',
  'INVALID_STORAGE_KEY',
  'RANGE_NOT_SATISFIABLE',
  'STORAGE_UNAVAILABLE',
  'SHARE_LINK_REVOKED',
  'SERVER_BUSY',
] as const;
export type SharedKernelErrorCode = (typeof SHARED_KERNEL_ERROR_CODES)[number];

/**
 * Base class of every error a use case may throw on purpose.
 *
 * `code` is stable and machine-readable (`USER_NOT_FOUND`); the HTTP edge maps it to a status
 * and the worker maps it to "failed, do not retry". Nothing here knows about HTTP. Each
 * module's errors extend its own abstract base whose `code` is the union of its code list
 * (`TilesError`, `SharedKernelError`...), so a code missing from the list, and therefore from
 * the edge's status map, does not compile.
 */
export abstract class DomainError extends Error {
  abstract readonly code: string;

  /** Extra, safe-to-show fields for the client (become problem+json extension members). */
  readonly details?: Record<string, unknown>;

  /**
   * Whether trying again later may succeed (a dependency was down). Jobs failing with a
   * non-retryable DomainError fail for good; retryable ones are retried like any error.
   */
  readonly retryable: boolean = false;

  protected constructor(message: string, details?: Record<string, unknown>) {
    super(message);
    this.name = new.target.name;
    this.details = details;
  }
}

/** The shared kernel's own errors: `code` is one of SHARED_KERNEL_ERROR_CODES. */
export abstract class SharedKernelError extends DomainError {
  abstract override readonly code: SharedKernelErrorCode;
}
