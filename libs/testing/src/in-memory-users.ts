import {
  type ChangeChannel,
  ChangeFeed,
  type ChangeHandler,
  Clock,
  decodeCursor,
  type Page,
  type PageRequest,
  toPage,
} from '#shared-kernel';
import {
  ApiKey,
  ApiKeyRepository,
  type AuthState,
  EmailAlreadyRegisteredError,
  LastAdminError,
  PasswordHasher,
  RefreshToken,
  RefreshTokenRepository,
  type Role,
  User,
  type UserChanges,
  UserRepository,
} from '#users';

/** In-memory UserRepository with the same contract as the MikroORM one (for use-case tests). */
export class InMemoryUserRepository extends UserRepository {
  readonly rows = new Map<string, User>();

  /** With the refresh tokens, authState knows revoked sessions as the database does. */
  constructor(private readonly refreshTokens?: InMemoryRefreshTokenRepository) {
    super();
  }

  async findById(id: string) {
    return this.copy(this.rows.get(id));
  }

  async findByEmail(email: string) {
    return this.copy([...this.rows.values()].find((u) => u.email === email));
  }

  async insert(user: User) {
    if ([...this.rows.values()].some((u) => u.email === user.email)) throw new EmailAlreadyRegisteredError();
    this.rows.set(user.id, new User({ ...user }));
  }

  async list({ limit, cursor }: PageRequest): Promise<Page<User>> {
    const after = cursor ? decodeCursor(cursor) : undefined;
    const sorted = [...this.rows.values()]
      .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime() || (a.id < b.id ? 1 : -1))
      .filter(
        (u) =>
          !after ||
          u.createdAt < after.createdAt ||
          (u.createdAt.getTime() === after.createdAt.getTime() && u.id < after.id),
      );
    return toPage(
      sorted.slice(0, limit + 1).map((u) => new User({ ...u })),
      limit,
    );
  }

  async countByRole(role: Role) {
    return [...this.rows.values()].filter((u) => u.role === role).length;
  }

  async update(id: string, changes: UserChanges, at: Date) {
    const user = this.rows.get(id);
    if (!user) return false;
    if (changes.role !== undefined && changes.role !== 'admin') this.guardLastAdmin(user);
    Object.assign(user, Object.fromEntries(Object.entries(changes).filter(([, v]) => v !== undefined)), {
      updatedAt: at,
    });
    return true;
  }

  async setPasswordHash(id: string, passwordHash: string, at: Date) {
    const user = this.rows.get(id);
    if (!user) return false;
    Object.assign(user, { passwordHash, tokensValidAfter: at, updatedAt: at });
    return true;
  }

  async authState(id: string, revokedSince: Date): Promise<AuthState | null> {
    const user = this.rows.get(id);
    if (!user) return null;
    // Like the database's join: the families of this user's tokens revoked since then.
    const revoked = [...(this.refreshTokens?.rows.values() ?? [])]
      .filter((t) => t.userId === id && t.revokedAt !== null && t.revokedAt > revokedSince)
      .map((t) => t.familyId);
    return { role: user.role, tokensValidAfter: user.tokensValidAfter, revokedSessions: new Set(revoked) };
  }

  async delete(id: string) {
    const user = this.rows.get(id);
    if (!user) return false;
    this.guardLastAdmin(user);
    return this.rows.delete(id);
  }

  private guardLastAdmin(user: User) {
    if (user.role === 'admin' && [...this.rows.values()].filter((u) => u.role === 'admin').length === 1)
      throw new LastAdminError();
  }

  private copy(user: User | undefined) {
    return user ? new User({ ...user }) : null;
  }
}

export class InMemoryRefreshTokenRepository extends RefreshTokenRepository {
  readonly rows = new Map<string, RefreshToken>();

  async insert(token: RefreshToken) {
    this.rows.set(token.id, new RefreshToken({ ...token }));
  }

  async findByHash(tokenHash: string) {
    const found = [...this.rows.values()].find((t) => t.tokenHash === tokenHash);
    return found ? new RefreshToken({ ...found }) : null;
  }

  async rotate(currentId: string, next: RefreshToken, at: Date) {
    const current = this.rows.get(currentId);
    if (!current || current.usedAt || current.revokedAt) return false;
    current.usedAt = at;
    await this.insert(next);
    return true;
  }

  async revokeFamily(familyId: string, at: Date) {
    return this.revokeWhere((token) => token.familyId === familyId, at);
  }

  async revokeAllOfUser(userId: string, at: Date) {
    return this.revokeWhere((token) => token.userId === userId, at);
  }

  private revokeWhere(matches: (token: RefreshToken) => boolean, at: Date) {
    let count = 0;
    for (const token of this.rows.values()) {
      if (matches(token) && !token.revokedAt) {
        token.revokedAt = at;
        count++;
      }
    }
    return count;
  }
}

/** API keys in memory; like the foreign key, a key needs its user and goes with them. */
export class InMemoryApiKeyRepository extends ApiKeyRepository {
  private readonly rows = new Map<string, ApiKey>();

  constructor(private readonly users: InMemoryUserRepository) {
    super();
  }

  async insertWithin(key: ApiKey, limit: number) {
    if (!this.users.rows.has(key.userId)) throw new Error('api_keys_user_id_fkey: no such user');
    // Counted and stored in one turn, as the database does under the user's row lock.
    if (this.live().filter((held) => held.userId === key.userId).length >= limit) return false;
    this.rows.set(key.id, new ApiKey({ ...key }));
    return true;
  }

  async listOf(userId: string) {
    return this.live()
      .filter((key) => key.userId === userId)
      .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime() || (a.id < b.id ? -1 : 1))
      .map((key) => new ApiKey({ ...key }));
  }

  async findByHash(secretHash: string) {
    const found = this.live().find((key) => key.secretHash === secretHash);
    return found ? new ApiKey({ ...found }) : null;
  }

  async delete(userId: string, id: string) {
    const key = this.rows.get(id);
    return key !== undefined && key.userId === userId && this.users.rows.has(userId) && this.rows.delete(id);
  }

  async recordUse(id: string, at: Date) {
    const key = this.rows.get(id);
    if (key && (!key.lastUsedAt || key.lastUsedAt < at)) key.lastUsedAt = at;
  }

  /** Keys whose user still exists (ON DELETE CASCADE). */
  private live() {
    return [...this.rows.values()].filter((key) => this.users.rows.has(key.userId));
  }
}

/** Reversible stand-in for argon2 in use-case tests (hashing cost is not under test there). */
export class PlainTextPasswordHasher extends PasswordHasher {
  readonly verified: string[] = [];

  async hash(password: string) {
    return `plain:${password}`;
  }

  async verify(hash: string, password: string) {
    this.verified.push(hash);
    return hash === `plain:${password}`;
  }
}

export class FixedClock extends Clock {
  constructor(private current = new Date('2026-01-01T00:00:00.000Z')) {
    super();
  }

  now() {
    return new Date(this.current);
  }

  advance(seconds: number) {
    this.current = new Date(this.current.getTime() + seconds * 1000);
  }
}

/** ChangeFeed for use-case tests: `emit` plays the database announcing a change. */
export class InMemoryChangeFeed extends ChangeFeed {
  private readonly handlers = new Map<ChangeChannel, Set<ChangeHandler>>();

  subscribe(channel: ChangeChannel, handler: ChangeHandler): () => void {
    const set = this.handlers.get(channel) ?? new Set<ChangeHandler>();
    set.add(handler);
    this.handlers.set(channel, set);
    return () => set.delete(handler);
  }

  emit(channel: ChangeChannel, id: string | undefined): void {
    for (const handler of this.handlers.get(channel) ?? []) handler(id);
  }
}
