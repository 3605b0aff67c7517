import { Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { LRUCache } from 'lru-cache';
import { ChangeFeed, Clock } from '#shared-kernel';
import { API_KEY_PREFIX, type ApiKey } from '../domain/api-key.js';
import { hashApiKey } from './api-key-secrets.js';
import { acceptsToken, type AuthState } from '../domain/auth-state.js';
import { InvalidAccessTokenError, InvalidApiKeyError } from '../domain/users.errors.js';
import { ApiKeyRepository } from './ports/api-key.repository.port.js';
import { AccessTokens, type Principal } from './ports/access-tokens.port.js';
import { UserRepository } from './ports/user.repository.port.js';
import { UsersSettings } from './users.settings.js';

const MAX_CACHED_USERS = 10_000;
const MAX_CACHED_KEYS = 10_000;
/** A key's last use is written at most this often (a busy key costs one write a minute). */
const KEY_USE_RESOLUTION_MS = 60_000;
/** `tsk_` and 43 base64url characters (32 random bytes): anything else is not looked up. */
const API_KEY_FORMAT = new RegExp(`^${API_KEY_PREFIX}[A-Za-z0-9_-]{43}$`);

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
  /** API keys by secret hash (null: no such key), dropped on any change of users or keys. */
  private readonly keys = new LRUCache<string, { key: Promise<ApiKey | null>; expiresAt: number }>({
    max: MAX_CACHED_KEYS,
  });
  private unsubscribe?: () => void;

  constructor(
    private readonly tokens: AccessTokens,
    private readonly users: UserRepository,
    private readonly apiKeys: ApiKeyRepository,
    private readonly changes: ChangeFeed,
    private readonly settings: UsersSettings,
    private readonly clock: Clock,
  ) {}

  onModuleInit(): void {
    this.unsubscribe = this.changes.subscribe('users', (userId) => {
      if (userId === undefined) this.cache.clear();
      else this.cache.delete(userId);
      // A key revoked or its user changed: keys are few and cheap to look up again.
      this.keys.clear();
    });
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

  /**
   * The principal of an API key: a known, unexpired key of a user who still exists, with the
   * user's role now and the key's scopes. Anything else is one error (INVALID_API_KEY).
   */
  async authenticateKey(secret: string): Promise<Principal> {
    if (!API_KEY_FORMAT.test(secret)) throw new InvalidApiKeyError();
    const now = this.clock.now();
    const key = await this.key(hashApiKey(secret), now.getTime());
    if (!key || key.isExpired(now)) throw new InvalidApiKeyError();
    const state = await this.state(key.userId);
    if (!state) throw new InvalidApiKeyError();
    this.noteUse(key, now);
    return { userId: key.userId, role: state.role, apiKeyId: key.id, scopes: key.scopes };
  }

  /**
   * Forgets what this process cached about a user and about keys, at once (a key revoked or a
   * user deleted here; other processes hear of it from the database's notification).
   */
  forget(userId: string): void {
    this.cache.delete(userId);
    this.keys.clear();
  }

  private key(secretHash: string, now: number): Promise<ApiKey | null> {
    const cached = this.keys.get(secretHash);
    if (cached && cached.expiresAt > now) return cached.key;
    const key = this.apiKeys.findByHash(secretHash);
    const entry = { key, expiresAt: now + this.settings.authStateCacheSeconds * 1000 };
    this.keys.set(secretHash, entry);
    key.catch(() => this.keys.peek(secretHash) === entry && this.keys.delete(secretHash));
    return key;
  }

  /** Records the use once a minute per key, without holding the request (a failure is harmless). */
  private noteUse(key: ApiKey, now: Date): void {
    if (key.lastUsedAt && now.getTime() - key.lastUsedAt.getTime() < KEY_USE_RESOLUTION_MS) return;
    key.lastUsedAt = now;
    this.apiKeys.recordUse(key.id, now).catch(() => undefined);
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
