import type { AccessClaims } from '../../domain/auth-state.js';
import type { ApiKeyScope } from '../../domain/api-key.js';
import type { Role } from '../../domain/role.js';

/** Who a request speaks for, once its access token passed every check. */
export interface Principal {
  userId: string;
  role: Role;
  /** The session (refresh family) of the token, if it names one. */
  sessionId?: string;
  /** Set when an API key speaks: its id and scopes (a password session has neither). */
  apiKeyId?: string;
  scopes?: readonly ApiKeyScope[];
}

export interface IssuedAccessToken {
  token: string;
  expiresInSeconds: number;
}

/** Signs and verifies short-lived access tokens (one pinned algorithm, iss/aud/exp). */
export abstract class AccessTokens {
  abstract issue(principal: Principal): Promise<IssuedAccessToken>;
  /**
   * Returns the claims of a well-formed, correctly signed, unexpired token, or throws
   * InvalidAccessTokenError for any defect. Cryptography only: revocation is AccessGate's.
   */
  abstract verify(token: string): Promise<AccessClaims>;
}
