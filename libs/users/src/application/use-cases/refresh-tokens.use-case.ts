import { Injectable, Logger } from '@nestjs/common';
import { Clock } from '#shared-kernel';
import { InvalidRefreshTokenError } from '../../domain/users.errors.js';
import { RefreshTokenRepository } from '../ports/refresh-token.repository.port.js';
import { UserRepository } from '../ports/user.repository.port.js';
import { hashRefreshToken, SessionTokens, type TokenPair } from '../session-tokens.service.js';

/**
 * Exchanges a refresh token for a new pair, rotating it. A token that was already used
 * (a replay: it leaked, or a client raced itself) revokes its whole family.
 */
@Injectable()
export class RefreshTokensUseCase {
  private readonly logger = new Logger(RefreshTokensUseCase.name);

  constructor(
    private readonly tokens: RefreshTokenRepository,
    private readonly users: UserRepository,
    private readonly sessions: SessionTokens,
    private readonly clock: Clock,
  ) {}

  async execute(input: { refreshToken: string }): Promise<TokenPair> {
    const now = this.clock.now();
    const current = await this.tokens.findByHash(hashRefreshToken(input.refreshToken));
    if (!current || current.revokedAt || current.isExpired(now)) throw new InvalidRefreshTokenError();
    if (current.usedAt) return this.revokeOnReuse(current.familyId, now);

    const user = await this.users.findById(current.userId);
    if (!user) throw new InvalidRefreshTokenError();

    const next = this.sessions.mintRefreshToken(user.id, current.familyId);
    if (!(await this.tokens.rotate(current.id, next.token, now))) return this.revokeOnReuse(current.familyId, now);
    return this.sessions.pair(user, next);
  }

  private async revokeOnReuse(familyId: string, now: Date): Promise<never> {
    const revoked = await this.tokens.revokeFamily(familyId, now);
    this.logger.warn({ familyId, revoked }, 'Refresh token reuse detected; session family revoked');
    throw new InvalidRefreshTokenError();
  }
}
