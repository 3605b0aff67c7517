import { Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { LRUCache } from 'lru-cache';
import { ChangeFeed, Clock } from '#shared-kernel';
import { acceptsToken, type AuthState } from '../domain/auth-state.js';
import { InvalidAccessTokenError } from '../domain/users.errors.js';
import { AccessTokens, type Principal } from './ports/access-tokens.port.js';
import { UserRepository } from './ports/user.repository.port.js';
import { UsersSettings } from './users.settings.js';

const MAX_CACHED_USERS = 10_000;

/**
 * The check every authenticated request passes: the token's signature and claims
 * (AccessTokens), then the user's current AuthState, so that deleting a user, changing a
 * role, logging out or resetting a password takes effect at once, not when the token expires.
 *
 * States are cached per process (no database round trip per tile request): dropped as soon
 * as the change feed reports the user changed (on every instance), and reloaded after
 * `authStateCacheSeconds` in any case, so a missed notification costs seconds, not minutes.
 */
@Injectable()
export class AccessGate implements OnModuleInit, OnModuleDestroy {
  private readonly cache = new LRUCache<string, { state: Promise<AuthState | null>; expiresAt: number }>({
    max: MAX_CACHED_USERS,
  });
  private unsubscribe?: () => void;

  constructor(
    private readonly tokens: AccessTokens,
    private readonly users: UserRepository,
    private readonly changes: ChangeFeed,
    private readonly settings: UsersSettings,
    private readonly clock: Clock,
  ) {}

  onModuleInit(): void {
    this.unsubscribe = this.changes.subscribe('users', (userId) =>
      userId === undefined ? this.cache.clear() : this.cache.delete(userId),
    );
  }

  onModuleDestroy(): void {
    this.unsubscribe?.();
  }

  async authenticate(token: string): Promise<Principal> {
    const claims = await this.tokens.verify(token);
    const state = await this.state(claims.userId);
    if (!acceptsToken(state, claims)) throw new InvalidAccessTokenError();
    return { userId: claims.userId, role: state.role, sessionId: claims.sessionId };
  }

  private state(userId: string): Promise<AuthState | null> {
    const now = this.clock.now().getTime();
    const cached = this.cache.get(userId);
    if (cached && cached.expiresAt > now) return cached.state;
    // Sessions revoked earlier than an access token's lifetime ago have no live tokens left.
    const revokedSince = new Date(now - this.settings.accessTokenTtlSeconds * 1000);
    const state = this.users.authState(userId, revokedSince);
    const entry = { state, expiresAt: now + this.settings.authStateCacheSeconds * 1000 };
    this.cache.set(userId, entry);
    // A failed load (database down) is not remembered.
    state.catch(() => this.cache.peek(userId) === entry && this.cache.delete(userId));
    return state;
  }
}
