import { ConnectionException } from '@mikro-orm/core';

/**
 * SQLSTATEs meaning "the database cannot serve you right now", not "your query is wrong":
 * connection failures (08000, 08001, 08003, 08004, 08006), shutdown (57P01-57P03), no room
 * (53000, 53300). Not every 08 code: 08P01 (protocol violation) is what PostgreSQL answers to
 * a NUL in a string, a bad request rather than an outage.
 */
const UNAVAILABLE_SQLSTATES = new Set([
  '08000',
  '08001',
  '08003',
  '08004',
  '08006',
  '57P01',
  '57P02',
  '57P03',
  '53300',
  '53000',
]);
const UNAVAILABLE_ERRNO_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENOTFOUND',
  'EPIPE',
  'EAI_AGAIN',
]);

/**
 * True when an error means PostgreSQL is unreachable or refusing service (connection
 * refused or cut, server shutting down, too many connections): the caller should answer
 * 503 and retry later, not report a bug.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  if (error instanceof ConnectionException) return true;
  // Error instances, and the plain-object copies pg-boss emits for its workers' errors.
  const candidates = [error, (error as { cause?: unknown } | null)?.cause];
  return candidates.some((e) => {
    if (!e || typeof e !== 'object') return false;
    const { code, sqlState, message } = e as { code?: unknown; sqlState?: unknown; message?: unknown };
    return (
      (typeof sqlState === 'string' && UNAVAILABLE_SQLSTATES.has(sqlState)) ||
      (typeof code === 'string' && (UNAVAILABLE_SQLSTATES.has(code) || UNAVAILABLE_ERRNO_CODES.has(code))) ||
      (typeof message === 'string' &&
        (/Connection terminated|connection timeout|timeout exceeded when trying to connect/i.test(message) ||
          // pg-boss rewraps a worker's errors, keeping only the message ("connect ECONNREFUSED ...").
          /\b(ECONNREFUSED|ECONNRESET|ETIMEDOUT|EHOSTUNREACH|ENOTFOUND|EPIPE|EAI_AGAIN)\b/.test(message)))
    );
  });
}
