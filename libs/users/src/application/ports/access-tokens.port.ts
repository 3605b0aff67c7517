import type { Role } from '../../domain/role.js';

/** Who a valid access token speaks for. */
export interface Principal {
  userId: string;
  role: Role;
}

export interface IssuedAccessToken {
  token: string;
  expiresInSeconds: number;
}

/** Signs and verifies short-lived access tokens (one pinned algorithm, iss/aud/exp). */
export abstract class AccessTokens {
  abstract issue(principal: Principal): Promise<IssuedAccessToken>;
  /** Returns the principal, or throws InvalidAccessTokenError for any defect. */
  abstract verify(token: string): Promise<Principal>;
}
