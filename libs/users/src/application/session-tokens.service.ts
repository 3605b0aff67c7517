import { createHash, randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { Clock, newId } from '#shared-kernel';
import { RefreshToken } from '../domain/refresh-token.js';
import type { User } from '../domain/user.js';
import { AccessTokens } from './ports/access-tokens.port.js';
import { RefreshTokenRepository } from './ports/refresh-token.repository.port.js';
import { UsersSettings } from './users.settings.js';

export interface TokenPair {
  accessToken: string;
  refreshToken: string;
  tokenType: 'Bearer';
  expiresIn: number;
}

export const hashRefreshToken = (token: string): string => createHash('sha256').update(token, 'utf8').digest('hex');

/** Mints access + refresh token pairs; shared by login and refresh. */
@Injectable()
export class SessionTokens {
  constructor(
    private readonly accessTokens: AccessTokens,
    private readonly refreshTokens: RefreshTokenRepository,
    private readonly settings: UsersSettings,
    private readonly clock: Clock,
  ) {}

  /** A refresh token (plain value + the row to store) in the given family. */
  mintRefreshToken(userId: string, familyId: string): { plain: string; token: RefreshToken } {
    const plain = randomBytes(32).toString('base64url');
    const now = this.clock.now();
    const token = new RefreshToken({
      id: newId(),
      userId,
      familyId,
      tokenHash: hashRefreshToken(plain),
      createdAt: now,
      expiresAt: new Date(now.getTime() + this.settings.refreshTokenTtlSeconds * 1000),
      usedAt: null,
      revokedAt: null,
    });
    return { plain, token };
  }

  async pair(user: Pick<User, 'id' | 'role'>, refresh: { plain: string; token: RefreshToken }): Promise<TokenPair> {
    const access = await this.accessTokens.issue({
      userId: user.id,
      role: user.role,
      sessionId: refresh.token.familyId,
    });
    return {
      accessToken: access.token,
      refreshToken: refresh.plain,
      tokenType: 'Bearer',
      expiresIn: access.expiresInSeconds,
    };
  }

  /** Starts a new session family (login). */
  async start(user: Pick<User, 'id' | 'role'>): Promise<TokenPair> {
    const refresh = this.mintRefreshToken(user.id, newId());
    await this.refreshTokens.insert(refresh.token);
    return this.pair(user, refresh);
  }
}
