/** Settings the users use cases need, bound from configuration by the module. */
export abstract class UsersSettings {
  abstract readonly refreshTokenTtlSeconds: number;
  abstract readonly accessTokenTtlSeconds: number;
  /**
   * How long a rotated refresh token may be presented again and still get a fresh pair in its
   * session (two tabs, or a retry after a lost answer, racing one rotation); past it, a replay
   * revokes the session. 0: never.
   */
  abstract readonly refreshReuseSeconds: number;
  /** How long a user's AuthState may be reused without a change notification. */
  abstract readonly authStateCacheSeconds: number;
  abstract readonly initialAdminEmail: string;
  /** Empty: generate one and report it once. */
  abstract readonly initialAdminPassword: string;
}
