import { Injectable, Logger } from '@nestjs/common';
import { Clock } from '#shared-kernel';
import type { RefreshToken } from '../../domain/refresh-token.js';
import type { User } from '../../domain/user.js';
import { InvalidRefreshTokenError } from '../../domain/users.errors.js';
import { RefreshTokenRepository } from '../ports/refresh-token.repository.port.js';
import { UserRepository } from '../ports/user.repository.port.js';
import { UsersSettings } from '../users.settings.js';
import { hashRefreshToken, SessionTokens, type TokenPair } from '../session-tokens.service.js';

/**
 * Exchanges a refresh token for a new pair, rotating it. A token that was already used
 * revokes its whole family (a replay: it leaked), unless it was rotated less than
 * JWT_REFRESH_REUSE_SECONDS ago: then a client raced itself (two tabs refreshing at once, a
 * retry after a lost answer) and it gets a new pair of the same session, as Auth0's reuse
 * interval and Okta's grace period allow.
 */
@Injectable()
export class RefreshTokensUseCase {
  private readonly logger = new Logger(RefreshTokensUseCase.name);

  constructor(
    private readonly tokens: RefreshTokenRepository,
    private readonly users: UserRepository,
    private readonly sessions: SessionTokens,
    private readonly clock: Clock,
    private readonly settings: UsersSettings,
  ) {}

  async execute(input: { refreshToken: string }): Promise<TokenPair> {
    const now = this.clock.now();
    const current = await this.tokens.findByHash(hashRefreshToken(input.refreshToken));
    if (!current || current.revokedAt || current.isExpired(now)) throw new InvalidRefreshTokenError();
    if (current.usedAt && !this.justRotated(current.usedAt, now)) return this.revokeOnReuse(current.familyId, now);

    const user = await this.users.findById(current.userId);
    if (!user) throw new InvalidRefreshTokenError();

    const next = this.sessions.mintRefreshToken(user.id, current.familyId);
    // Rotated a moment ago (here, or by a request racing this one): another pair of the same session.
    if (current.usedAt) return this.sibling(current.tokenHash, user, next, now);
    if (!(await this.tokens.rotate(current.id, next.token, now))) {
      const again = await this.tokens.findByHash(current.tokenHash);
      if (!again?.usedAt || again.revokedAt || !this.justRotated(again.usedAt, now)) {
        return this.revokeOnReuse(current.familyId, now);
      }
      return this.sibling(current.tokenHash, user, next, now);
    }
    return this.sessions.pair(user, next);
  }

  /**
   * Stores `next` beside the spent token, unless its session has been revoked meanwhile (a
   * logout racing this refresh): checked after the insert, so that a revocation before it is
   * seen and one after it covers the new token too.
   */
  private async sibling(
    spentHash: string,
    user: User,
    next: { plain: string; token: RefreshToken },
    now: Date,
  ): Promise<TokenPair> {
    await this.tokens.insert(next.token);
    const spent = await this.tokens.findByHash(spentHash);
    if (!spent || spent.revokedAt) {
      await this.tokens.revokeFamily(next.token.familyId, now);
      throw new InvalidRefreshTokenError();
    }
    return this.sessions.pair(user, next);
  }

  /**
   * `now` was read when this request began, so a request racing the rotation can see a
   * `usedAt` later than its own `now`: inside any interval, but never with the interval at 0.
   */
  private justRotated(usedAt: Date, now: Date): boolean {
    const seconds = this.settings.refreshReuseSeconds;
    return seconds > 0 && now.getTime() - usedAt.getTime() <= seconds * 1000;
  }

  private async revokeOnReuse(familyId: string, now: Date): Promise<never> {
    const revoked = await this.tokens.revokeFamily(familyId, now);
    this.logger.warn({ familyId, revoked }, 'Refresh token reuse detected; session family revoked');
    throw new InvalidRefreshTokenError();
  }
}
