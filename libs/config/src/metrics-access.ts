import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * Whether an Authorization header carries the metrics token, compared in constant time
 * (of the digests: the length of the token does not leak either).
 */
export function carriesMetricsToken(authorization: string | undefined, token: string): boolean {
  const [scheme, given, ...rest] = (authorization ?? '').split(' ');
  if (scheme?.toLowerCase() !== 'bearer' || !given || rest.length > 0 || !token) return false;
  const digest = (value: string) => createHash('sha256').update(value).digest();
  return timingSafeEqual(digest(given), digest(token));
}
