import { randomUUID } from 'node:crypto';
import {
  ApiKey,
  type ApiKeyRepository,
  type ApiKeyScope,
  EmailAlreadyRegisteredError,
  LastAdminError,
  RefreshToken,
  type RefreshTokenRepository,
  type Role,
  User,
  type UserRepository,
} from '#users';

export interface UsersRepositories {
  users: UserRepository;
  tokens: RefreshTokenRepository;
  apiKeys: ApiKeyRepository;
  /** Ends what `create` started (a database, a connection). */
  dispose(): Promise<void>;
}

/**
 * The behaviour the use cases rely on from UserRepository and RefreshTokenRepository. Run
 * on the in-memory fakes the unit specs use and on the MikroORM adapters on a real
 * PostgreSQL, so the fakes cannot drift from what the database does. `create` gives empty
 * repositories.
 */
export function usersRepositoryContract(name: string, create: () => Promise<UsersRepositories>) {
  describe(`Users repositories contract: ${name}`, () => {
    let repos: UsersRepositories;
    beforeEach(async () => {
      repos = await create();
    });
    afterEach(() => repos.dispose());

    let second = 0;
    const user = (role: Role = 'user', email = `${randomUUID()}@example.com`) => {
      // Distinct, increasing creation times (the list is newest first).
      const at = new Date(Date.UTC(2026, 0, 1, 0, 0, ++second));
      return new User({
        id: randomUUID(),
        email,
        passwordHash: 'hash',
        role,
        quotaBytes: null,
        quotaPanoramas: null,
        createdAt: at,
        updatedAt: at,
      });
    };
    const token = (userId: string, familyId: string = randomUUID()) =>
      new RefreshToken({
        id: randomUUID(),
        userId,
        familyId,
        tokenHash: randomUUID().replaceAll('-', '').padEnd(64, '0'),
        createdAt: new Date(),
        expiresAt: new Date(Date.now() + 3_600_000),
        usedAt: null,
        revokedAt: null,
      });

    const apiKey = (userId: string, scopes: ApiKeyScope[] = ['read'], createdAt = new Date()) =>
      new ApiKey({
        id: randomUUID(),
        userId,
        name: 'job',
        scopes,
        hint: 'tsk_abcdefgh',
        secretHash: randomUUID().replaceAll('-', '').padEnd(64, '0'),
        createdAt,
        expiresAt: null,
        lastUsedAt: null,
      });

    it('stores API keys of a user, lists them newest first, finds one by hash and deletes only the own', async () => {
      const anna = user();
      const bob = user();
      await repos.users.insert(anna);
      await repos.users.insert(bob);
      const older = apiKey(anna.id, ['read', 'write'], new Date(Date.UTC(2026, 0, 1)));
      const newer = apiKey(anna.id, ['read'], new Date(Date.UTC(2026, 0, 2)));
      for (const key of [older, newer]) expect(await repos.apiKeys.insertWithin(key, 10)).toBe(true);
      expect((await repos.apiKeys.listOf(anna.id)).map((k) => k.id)).toEqual([newer.id, older.id]);
      expect(await repos.apiKeys.findByHash(older.secretHash)).toMatchObject({
        id: older.id,
        userId: anna.id,
        scopes: ['read', 'write'],
        expiresAt: null,
      });
      expect(await repos.apiKeys.delete(bob.id, older.id)).toBe(false);
      expect(await repos.apiKeys.delete(anna.id, older.id)).toBe(true);
      expect(await repos.apiKeys.delete(anna.id, older.id)).toBe(false);
      expect(await repos.apiKeys.findByHash(older.secretHash)).toBeNull();
      expect(await repos.apiKeys.listOf(bob.id)).toEqual([]);
    });

    it('keeps the latest use of a key, and deletes the keys with their user', async () => {
      const anna = user();
      await repos.users.insert(anna);
      const key = apiKey(anna.id);
      await repos.apiKeys.insertWithin(key, 10);
      const later = new Date(Date.UTC(2026, 5, 1));
      await repos.apiKeys.recordUse(key.id, later);
      await repos.apiKeys.recordUse(key.id, new Date(Date.UTC(2026, 4, 1)));
      expect((await repos.apiKeys.findByHash(key.secretHash))?.lastUsedAt).toEqual(later);
      await repos.users.delete(anna.id);
      expect(await repos.apiKeys.findByHash(key.secretHash)).toBeNull();
    });

    it('lets racing creations pass the per-user limit of keys only up to it', async () => {
      const anna = user();
      await repos.users.insert(anna);
      const results = await Promise.all(
        Array.from({ length: 8 }, () => repos.apiKeys.insertWithin(apiKey(anna.id), 3)),
      );
      expect(results.filter(Boolean)).toHaveLength(3);
      expect(await repos.apiKeys.listOf(anna.id)).toHaveLength(3);
    });

    it('finds a user by id and by email, and refuses a second user with the same email', async () => {
      const anna = user('user', 'anna@example.com');
      await repos.users.insert(anna);
      expect(await repos.users.findById(anna.id)).toMatchObject({
        id: anna.id,
        email: 'anna@example.com',
        role: 'user',
      });
      expect((await repos.users.findByEmail('anna@example.com'))?.id).toBe(anna.id);
      expect(await repos.users.findById(randomUUID())).toBeNull();
      expect(await repos.users.findByEmail('nobody@example.com')).toBeNull();
      await expect(repos.users.insert(user('user', 'anna@example.com'))).rejects.toBeInstanceOf(
        EmailAlreadyRegisteredError,
      );
    });

    it('hands out copies: changing a found user changes nothing stored', async () => {
      const anna = user();
      await repos.users.insert(anna);
      const found = (await repos.users.findById(anna.id))!;
      found.role = 'admin';
      expect((await repos.users.findById(anna.id))!.role).toBe('user');
    });

    it('lists newest first, page by page, each user once', async () => {
      const made = [user(), user(), user(), user(), user()];
      for (const u of made) await repos.users.insert(u);
      const seen: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await repos.users.list({ limit: 2, cursor });
        expect(page.items.length).toBeLessThanOrEqual(2);
        seen.push(...page.items.map((u) => u.id));
        cursor = page.nextCursor ?? undefined;
      } while (cursor);
      expect(seen).toEqual(made.map((u) => u.id).reverse());
    });

    it('changes role and quotas, counts by role, and never removes the last admin', async () => {
      const [admin, other] = [user('admin'), user()];
      await repos.users.insert(admin);
      await repos.users.insert(other);
      expect(await repos.users.countByRole('admin')).toBe(1);
      await expect(repos.users.update(admin.id, { role: 'user' }, new Date())).rejects.toBeInstanceOf(LastAdminError);
      await expect(repos.users.delete(admin.id)).rejects.toBeInstanceOf(LastAdminError);
      expect(await repos.users.update(other.id, { role: 'admin', quotaBytes: 1000 }, new Date())).toBe(true);
      expect(await repos.users.findById(other.id)).toMatchObject({
        role: 'admin',
        quotaBytes: 1000,
        quotaPanoramas: null,
      });
      expect(await repos.users.update(other.id, { quotaBytes: null }, new Date())).toBe(true);
      expect((await repos.users.findById(other.id))!.quotaBytes).toBeNull();
      expect(await repos.users.update(admin.id, { role: 'user' }, new Date())).toBe(true); // another admin remains
      expect(await repos.users.countByRole('admin')).toBe(1);
      expect(await repos.users.update(randomUUID(), { role: 'user' }, new Date())).toBe(false);
      expect(await repos.users.delete(admin.id)).toBe(true);
      expect(await repos.users.delete(admin.id)).toBe(false);
    });

    it("tells a user's auth state: role, tokens valid after a password change, sessions revoked lately", async () => {
      const anna = user();
      await repos.users.insert(anna);
      expect(await repos.users.authState(anna.id, new Date(0))).toEqual({
        role: 'user',
        tokensValidAfter: null,
        revokedSessions: new Set(),
      });
      const changedAt = new Date(Date.now() - 1000);
      expect(await repos.users.setPasswordHash(anna.id, 'new hash', changedAt)).toBe(true);
      expect((await repos.users.findById(anna.id))!.passwordHash).toBe('new hash');
      expect((await repos.users.authState(anna.id, new Date(0)))!.tokensValidAfter).toEqual(changedAt);

      const [kept, ended] = [token(anna.id), token(anna.id)];
      await repos.tokens.insert(kept);
      await repos.tokens.insert(ended);
      expect(await repos.tokens.revokeFamily(ended.familyId, new Date())).toBe(1);
      const state = (await repos.users.authState(anna.id, new Date(Date.now() - 60_000)))!;
      expect([...state.revokedSessions]).toEqual([ended.familyId]);
      expect((await repos.users.authState(anna.id, new Date(Date.now() + 60_000)))!.revokedSessions.size).toBe(0);
      expect(await repos.users.authState(randomUUID(), new Date(0))).toBeNull();
      expect(await repos.users.setPasswordHash(randomUUID(), 'x', new Date())).toBe(false);
    });

    it('rotates a refresh token once: a second rotation of the same token is refused', async () => {
      const anna = user();
      await repos.users.insert(anna);
      const first = token(anna.id);
      await repos.tokens.insert(first);
      expect((await repos.tokens.findByHash(first.tokenHash))?.id).toBe(first.id);
      const next = token(anna.id, first.familyId);
      expect(await repos.tokens.rotate(first.id, next, new Date())).toBe(true);
      expect(await repos.tokens.rotate(first.id, token(anna.id, first.familyId), new Date())).toBe(false);
      expect((await repos.tokens.findByHash(first.tokenHash))?.usedAt).not.toBeNull();
      expect((await repos.tokens.findByHash(next.tokenHash))?.usedAt).toBeNull();
      expect(await repos.tokens.findByHash('f'.repeat(64))).toBeNull();
    });

    it('revokes a family, or every session of a user, counting only the tokens it revoked', async () => {
      const [anna, ben] = [user(), user()];
      await repos.users.insert(anna);
      await repos.users.insert(ben);
      const family: string = randomUUID();
      for (const t of [token(anna.id, family), token(anna.id, family), token(anna.id), token(ben.id)])
        await repos.tokens.insert(t);
      expect(await repos.tokens.revokeFamily(family, new Date())).toBe(2);
      expect(await repos.tokens.revokeFamily(family, new Date())).toBe(0);
      expect(await repos.tokens.revokeAllOfUser(anna.id, new Date())).toBe(1);
      expect(await repos.tokens.revokeAllOfUser(ben.id, new Date())).toBe(1);
    });
  });
}
