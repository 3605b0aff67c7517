import type { Role } from './role.js';

/**
 * What an API key may do. `read`: lists, gets, tiles, downloads, event streams. `write`:
 * uploads, updates, deletes, renditions, shares. `admin`: the admin routes, and only for a
 * key whose owner is an admin now (the role is checked on every request as well).
 */
export const API_KEY_SCOPES = ['read', 'write', 'admin'] as const;
export type ApiKeyScope = (typeof API_KEY_SCOPES)[number];
/**
 * What a route needs: a scope, or `session` (a person signed in with a password: managing
 * API keys, which no key may do, so that a leaked key cannot mint more of them).
 */
export type RequiredScope = ApiKeyScope | 'session';

/** The visible start of every secret (secret scanners and people recognise it). */
export const API_KEY_PREFIX = 'tsk_';
/** Characters of a secret kept in clear to tell keys apart in a list (`tsk_` + 8). */
export const API_KEY_HINT_LENGTH = API_KEY_PREFIX.length + 8;

export interface ApiKeyProps {
  id: string;
  userId: string;
  name: string;
  scopes: readonly ApiKeyScope[];
  /** The secret's first characters (`tsk_AbCd1234`), shown in lists. */
  hint: string;
  /** SHA-256 (hex) of the secret: the secret itself is shown once and never stored. */
  secretHash: string;
  createdAt: Date;
  expiresAt: Date | null;
  lastUsedAt: Date | null;
}

/** A long-lived credential for a program, owned by one user, never more powerful than them. */
export class ApiKey {
  readonly id: string;
  readonly userId: string;
  readonly name: string;
  readonly scopes: readonly ApiKeyScope[];
  readonly hint: string;
  readonly secretHash: string;
  readonly createdAt: Date;
  readonly expiresAt: Date | null;
  lastUsedAt: Date | null;

  constructor(props: ApiKeyProps) {
    this.id = props.id;
    this.userId = props.userId;
    this.name = props.name;
    this.scopes = props.scopes;
    this.hint = props.hint;
    this.secretHash = props.secretHash;
    this.createdAt = props.createdAt;
    this.expiresAt = props.expiresAt;
    this.lastUsedAt = props.lastUsedAt;
  }

  isExpired(now: Date): boolean {
    return this.expiresAt !== null && this.expiresAt.getTime() <= now.getTime();
  }
}

/**
 * Whether credentials with these scopes (undefined: a password session, which may do all its
 * role allows) meet a route's requirement. The role is checked apart (Roles).
 */
export function scopesAllow(scopes: readonly ApiKeyScope[] | undefined, required: RequiredScope): boolean {
  if (scopes === undefined) return true;
  return required !== 'session' && scopes.includes(required);
}

/** Scopes a user of this role may give a key (admin only to admins). */
export function grantableScopes(role: Role): readonly ApiKeyScope[] {
  return role === 'admin' ? API_KEY_SCOPES : API_KEY_SCOPES.filter((scope) => scope !== 'admin');
}
