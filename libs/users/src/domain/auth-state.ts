import type { Role } from './role.js';

/**
 * What an access token's validity depends on beyond its signature and expiry, read from the
 * user's current record: the role now (a changed role applies at once), the instant before
 * which tokens are refused (a password reset) and the sessions revoked recently (logout,
 * a replayed refresh token). A missing user has no state: their tokens are refused.
 */
export interface AuthState {
  role: Role;
  tokensValidAfter: Date | null;
  /** Session (refresh family) ids revoked within the access-token lifetime. */
  revokedSessions: ReadonlySet<string>;
}

/** Claims of a verified access token. */
export interface AccessClaims {
  userId: string;
  /** The role when the token was issued (the current one is in AuthState). */
  role: Role;
  /** The session (refresh token family) the token was issued for. */
  sessionId: string | undefined;
  /** Seconds since the epoch. */
  issuedAt: number;
}

/** Whether a token with these claims may still be used, given the user's current state. */
export function acceptsToken(state: AuthState | null, claims: AccessClaims): state is AuthState {
  if (!state) return false;
  if (state.tokensValidAfter && claims.issuedAt < Math.floor(state.tokensValidAfter.getTime() / 1000)) return false;
  return !(claims.sessionId && state.revokedSessions.has(claims.sessionId));
}
