import type { Quota } from '../../domain/quota.js';

/** Per-user limits: an admin's override, else the configured default. */
export abstract class UserQuotas {
  abstract forUser(userId: string): Promise<Quota>;
  /** The quotas of several users at once (unknown ids get the defaults). */
  abstract forUsers(userIds: string[]): Promise<Map<string, Quota>>;
}
