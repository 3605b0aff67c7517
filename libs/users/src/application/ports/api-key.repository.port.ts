import type { ApiKey } from '../../domain/api-key.js';

/** API keys, deleted with their user. */
export abstract class ApiKeyRepository {
  /**
   * Stores a key unless its user already has `limit` keys (counted under the user's row
   * lock, so racing creations cannot pass it together); false when the limit is reached.
   */
  abstract insertWithin(key: ApiKey, limit: number): Promise<boolean>;
  /** A user's keys, newest first. */
  abstract listOf(userId: string): Promise<ApiKey[]>;
  abstract findByHash(secretHash: string): Promise<ApiKey | null>;
  /** Deletes (revokes) one key of a user; false when there is no such key of theirs. */
  abstract delete(userId: string, id: string): Promise<boolean>;
  /** Notes that a key was used at `at` (never moves the time back). */
  abstract recordUse(id: string, at: Date): Promise<void>;
}
