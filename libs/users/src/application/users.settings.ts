/** Settings the users use cases need, bound from configuration by the module. */
export abstract class UsersSettings {
  abstract readonly refreshTokenTtlSeconds: number;
  abstract readonly accessTokenTtlSeconds: number;
  /** How long a user's AuthState may be reused without a change notification. */
  abstract readonly authStateCacheSeconds: number;
  abstract readonly initialAdminEmail: string;
  /** Empty: generate one and report it once. */
  abstract readonly initialAdminPassword: string;
}
