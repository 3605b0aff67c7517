/**
 * Base class of every error a use case may throw on purpose.
 *
 * `code` is stable and machine-readable (`USER_NOT_FOUND`); the HTTP edge maps it to a status
 * and the worker maps it to "failed, do not retry". Nothing here knows about HTTP.
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
