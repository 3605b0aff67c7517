import type { ProblemCode } from './error-status.js';

/**
 * An error found by the HTTP edge itself (not a use case): malformed multipart, extra
 * parts... It carries its own status and stable code; ProblemDetailsFilter writes it.
 */
export class HttpProblem extends Error {
  constructor(
    readonly status: number,
    readonly code: ProblemCode,
    detail: string,
    /** Extra members of the problem (RFC 9457 extensions), e.g. when an expired link expired. */
    readonly extensions?: Record<string, unknown>,
  ) {
    super(detail);
  }
}
