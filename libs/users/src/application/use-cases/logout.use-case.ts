import { Injectable } from '@nestjs/common';
import { Clock } from '#shared-kernel';
import { RefreshTokenRepository } from '../ports/refresh-token.repository.port.js';
import { hashRefreshToken } from '../session-tokens.service.js';

/**
 * Ends the session the refresh token belongs to (its whole family). Like RFC 7009
 * revocation, an unknown or already revoked token is not an error: the outcome is the same.
 */
@Injectable()
export class LogoutUseCase {
  constructor(
    private readonly tokens: RefreshTokenRepository,
    private readonly clock: Clock,
  ) {}

  async execute(input: { refreshToken: string; userId: string }): Promise<void> {
    const token = await this.tokens.findByHash(hashRefreshToken(input.refreshToken));
    // A token of another user is treated as unknown: logging someone else out is not allowed.
    if (!token || token.userId !== input.userId) return;
    await this.tokens.revokeFamily(token.familyId, this.clock.now());
  }
}
