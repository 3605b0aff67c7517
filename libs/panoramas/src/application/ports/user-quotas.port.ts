export interface Quota {
  maxBytes: number;
  maxPanoramas: number;
}

/** Per-user limits: an admin's override, else the configured default. */
export abstract class UserQuotas {
  abstract forUser(userId: string): Promise<Quota>;
}
