import type { RefreshToken } from '../../domain/refresh-token.js';

export abstract class RefreshTokenRepository {
  abstract insert(token: RefreshToken): Promise<void>;
  abstract findByHash(tokenHash: string): Promise<RefreshToken | null>;
  /**
   * Atomically marks `current` used and stores `next` in its family. Returns false (and
   * stores nothing) when `current` had already been used or revoked: a concurrent or
   * replayed refresh.
   */
  abstract rotate(currentId: string, next: RefreshToken, at: Date): Promise<boolean>;
  /** Revokes every token of a family; returns how many were still live. */
  abstract revokeFamily(familyId: string, at: Date): Promise<number>;
  /** Revokes every token of every session of a user; returns how many were still live. */
  abstract revokeAllOfUser(userId: string, at: Date): Promise<number>;
}
