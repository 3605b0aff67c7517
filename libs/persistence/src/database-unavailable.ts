import { ConnectionException, DriverException } from '@mikro-orm/core';

/** SQLSTATEs meaning "the database cannot serve you right now", not "your query is wrong". */
const UNAVAILABLE_SQLSTATES = new Set(['57P01', '57P02', '57P03', '53300', '53000']);
const UNAVAILABLE_ERRNO_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTFOUND', 'EPIPE', 'EAI_AGAIN']);

/**
 * True when an error means PostgreSQL is unreachable or refusing service (connection
 * refused or cut, server shutting down, too many connections): the caller should answer
 * 503 and retry later, not report a bug.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  if (error instanceof ConnectionException) return true;
  const candidates = [error, error instanceof Error ? error.cause : undefined];
  return candidates.some((e) => {
    if (!(e instanceof Error)) return false;
    const { code, sqlState } = e as DriverException;
    return (
      (sqlState !== undefined && (sqlState.startsWith('08') || UNAVAILABLE_SQLSTATES.has(sqlState))) ||
      (code !== undefined && (code.startsWith('08') || UNAVAILABLE_SQLSTATES.has(code) || UNAVAILABLE_ERRNO_CODES.has(code))) ||
      /Connection terminated|connection timeout|timeout exceeded when trying to connect/i.test(e.message)
    );
  });
}
