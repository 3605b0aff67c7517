import { randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { Clock, newId } from '#shared-kernel';
import {
  API_KEY_HINT_LENGTH,
  API_KEY_PREFIX,
  API_KEY_SCOPES,
  ApiKey,
  type ApiKeyScope,
  grantableScopes,
} from '../../domain/api-key.js';
import { hashApiKey } from '../api-key-secrets.js';
import {
  ApiKeyLimitReachedError,
  ApiKeyNotFoundError,
  ForbiddenError,
  UserNotFoundError,
} from '../../domain/users.errors.js';
import type { Principal } from '../ports/access-tokens.port.js';
import { AccessGate } from '../access-gate.service.js';
import { ApiKeyRepository } from '../ports/api-key.repository.port.js';
import { UserRepository } from '../ports/user.repository.port.js';

/** Keys one user may hold at once (a bounded count, like share links per resource). */
export const MAX_API_KEYS_PER_USER = 100;

export interface NewApiKey {
  name: string;
  scopes: readonly ApiKeyScope[];
  expiresAt?: Date | null;
}

/**
 * A user's API keys: made with a secret shown once (only its SHA-256 is kept: the secret has
 * 256 random bits, so a fast hash is enough, and lookups are one indexed query), listed,
 * revoked; an admin lists and revokes anyone's. Using a key is AccessGate's.
 */
@Injectable()
export class ApiKeysUseCase {
  constructor(
    private readonly keys: ApiKeyRepository,
    private readonly users: UserRepository,
    private readonly clock: Clock,
    private readonly gate: AccessGate,
  ) {}

  /** Throws ForbiddenError when the owner's role cannot grant a scope (admin to a non-admin). */
  async create(owner: Principal, input: NewApiKey): Promise<{ key: ApiKey; secret: string }> {
    const grantable = grantableScopes(owner.role);
    if (!input.scopes.every((scope) => grantable.includes(scope))) throw new ForbiddenError();
    const secret = API_KEY_PREFIX + randomBytes(32).toString('base64url');
    const key = new ApiKey({
      id: newId(),
      userId: owner.userId,
      name: input.name,
      // Once each, in their canonical order.
      scopes: API_KEY_SCOPES.filter((scope) => input.scopes.includes(scope)),
      hint: secret.slice(0, API_KEY_HINT_LENGTH),
      secretHash: hashApiKey(secret),
      createdAt: this.clock.now(),
      expiresAt: input.expiresAt ?? null,
      lastUsedAt: null,
    });
    if (!(await this.keys.insertWithin(key, MAX_API_KEYS_PER_USER))) {
      throw new ApiKeyLimitReachedError(MAX_API_KEYS_PER_USER);
    }
    return { key, secret };
  }

  list(userId: string): Promise<ApiKey[]> {
    return this.keys.listOf(userId);
  }

  async revoke(userId: string, id: string): Promise<void> {
    if (!(await this.keys.delete(userId, id))) throw new ApiKeyNotFoundError();
    this.gate.forget(userId);
  }

  /** An admin's view of someone's keys: 404 for a user that does not exist. */
  async listOfUser(userId: string): Promise<ApiKey[]> {
    if (!(await this.users.findById(userId))) throw new UserNotFoundError();
    return this.keys.listOf(userId);
  }
}
