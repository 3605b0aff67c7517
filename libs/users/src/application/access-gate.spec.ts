import { loadConfig } from '#config';
import {
  FixedClock,
  InMemoryApiKeyRepository,
  InMemoryChangeFeed,
  InMemoryRefreshTokenRepository,
  InMemoryUserRepository,
} from '#testing';
import {
  AccessGate,
  type ApiKeyScope,
  ApiKeysUseCase,
  ForbiddenError,
  InvalidApiKeyError,
  InvalidAccessTokenError,
  JwtAccessTokens,
  RefreshToken,
  type Role,
  User,
  type UsersSettings,
} from '#users';

const USER_ID = '11111111-1111-4111-8111-111111111111';
const SESSION_A = 'aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa';
const SESSION_B = 'bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb';

class CountingUsers extends InMemoryUserRepository {
  loads = 0;
  override async authState(id: string, revokedSince: Date) {
    this.loads++;
    return super.authState(id, revokedSince);
  }
}

async function setup() {
  const refreshTokens = new InMemoryRefreshTokenRepository();
  const users = new CountingUsers(refreshTokens);
  const clock = new FixedClock(new Date());
  const feed = new InMemoryChangeFeed();
  const settings: UsersSettings = {
    refreshTokenTtlSeconds: 86_400,
    accessTokenTtlSeconds: 900,
    refreshReuseSeconds: 10,
    authStateCacheSeconds: 10,
    initialAdminEmail: 'a@b.c',
    initialAdminPassword: '',
  };
  const tokens = new JwtAccessTokens(loadConfig({ JWT_SECRET: 'k'.repeat(40) }));
  const apiKeys = new InMemoryApiKeyRepository(users);
  const gate = new AccessGate(tokens, users, apiKeys, feed, settings, clock);
  const keys = new ApiKeysUseCase(apiKeys, users, clock, gate);
  gate.onModuleInit();
  const now = new Date();
  await users.insert(
    new User({
      id: USER_ID,
      email: 'u@example.com',
      passwordHash: 'x',
      role: 'admin',
      quotaBytes: null,
      quotaPanoramas: null,
      createdAt: now,
      updatedAt: now,
    }),
  );
  for (const familyId of [SESSION_A, SESSION_B]) {
    await refreshTokens.insert(
      new RefreshToken({
        id: familyId,
        userId: USER_ID,
        familyId,
        tokenHash: familyId,
        createdAt: now,
        expiresAt: new Date(now.getTime() + 86_400_000),
        usedAt: null,
        revokedAt: null,
      }),
    );
  }
  const token = async (sessionId = SESSION_A, role: Role = 'admin') =>
    (await tokens.issue({ userId: USER_ID, role, sessionId })).token;
  /** A key of the user (an admin unless changed), and its secret. */
  const key = (scopes: ApiKeyScope[] = ['read'], expiresAt: Date | null = null, role: Role = 'admin') =>
    keys.create({ userId: USER_ID, role }, { name: 'job', scopes, expiresAt });
  return { users, refreshTokens, apiKeys, clock, feed, gate, token, keys, key };
}

describe('AccessGate', () => {
  it('accepts a valid token, with the role the user has now (not the one in the token)', async () => {
    const t = await setup();
    await expect(t.gate.authenticate(await t.token())).resolves.toEqual({
      userId: USER_ID,
      role: 'admin',
      sessionId: SESSION_A,
    });
    t.users.rows.get(USER_ID)!.role = 'user';
    t.feed.emit('users', USER_ID);
    await expect(t.gate.authenticate(await t.token())).resolves.toMatchObject({ role: 'user' });
  });

  it('loads a user once for many requests, and again after a change or a resync', async () => {
    const t = await setup();
    const token = await t.token();
    await Promise.all(Array.from({ length: 50 }, () => t.gate.authenticate(token)));
    expect(t.users.loads).toBe(1);
    t.feed.emit('users', '22222222-2222-4222-8222-222222222222'); // someone else
    await t.gate.authenticate(token);
    expect(t.users.loads).toBe(1);
    t.feed.emit('users', USER_ID);
    await t.gate.authenticate(token);
    expect(t.users.loads).toBe(2);
    t.feed.emit('users', undefined); // the feed reconnected: anything may have changed
    await t.gate.authenticate(token);
    expect(t.users.loads).toBe(3);
  });

  it('refuses the token of a deleted user at once on a change notification', async () => {
    const t = await setup();
    const token = await t.token();
    await t.gate.authenticate(token);
    t.users.rows.delete(USER_ID);
    t.feed.emit('users', USER_ID);
    await expect(t.gate.authenticate(token)).rejects.toBeInstanceOf(InvalidAccessTokenError);
  });

  it('refuses it after AUTH_STATE_CACHE_SECONDS when the notification was missed, not before', async () => {
    const t = await setup();
    const token = await t.token();
    await t.gate.authenticate(token);
    t.users.rows.delete(USER_ID);
    t.clock.advance(9);
    await expect(t.gate.authenticate(token)).resolves.toBeDefined();
    t.clock.advance(2);
    await expect(t.gate.authenticate(token)).rejects.toBeInstanceOf(InvalidAccessTokenError);
  });

  it("refuses the tokens of a logged-out session, not those of the user's other sessions", async () => {
    const t = await setup();
    await t.refreshTokens.revokeFamily(SESSION_A, new Date());
    t.feed.emit('users', USER_ID);
    await expect(t.gate.authenticate(await t.token(SESSION_A))).rejects.toBeInstanceOf(InvalidAccessTokenError);
    await expect(t.gate.authenticate(await t.token(SESSION_B))).resolves.toMatchObject({ sessionId: SESSION_B });
  });

  it('refuses tokens issued before a password reset', async () => {
    const t = await setup();
    const before = await t.token();
    await t.users.setPasswordHash(USER_ID, 'new', new Date(Date.now() + 2_000));
    t.feed.emit('users', USER_ID);
    await expect(t.gate.authenticate(before)).rejects.toBeInstanceOf(InvalidAccessTokenError);
  });

  it('does not remember a failed load (database down)', async () => {
    const t = await setup();
    const original = t.users.authState.bind(t.users);
    t.users.authState = () => Promise.reject(new Error('connection refused'));
    await expect(t.gate.authenticate(await t.token())).rejects.toThrow('connection refused');
    t.users.authState = original;
    await expect(t.gate.authenticate(await t.token())).resolves.toBeDefined();
  });
});

describe('AccessGate with API keys', () => {
  it("speaks for the key's owner with the key's scopes and the owner's role now", async () => {
    const t = await setup();
    const { key, secret } = await t.key(['read', 'write']);
    expect(secret).toMatch(/^tsk_[A-Za-z0-9_-]{43}$/);
    expect(key.hint).toBe(secret.slice(0, 12));
    expect(key.secretHash).not.toContain(secret.slice(4));
    await expect(t.gate.authenticateKey(secret)).resolves.toEqual({
      userId: USER_ID,
      role: 'admin',
      apiKeyId: key.id,
      scopes: ['read', 'write'],
    });
    t.users.rows.get(USER_ID)!.role = 'user';
    t.feed.emit('users', USER_ID);
    await expect(t.gate.authenticateKey(secret)).resolves.toMatchObject({ role: 'user' });
  });

  it('refuses a revoked key at once on the change notification, and an unknown or malformed one', async () => {
    const t = await setup();
    const { key, secret } = await t.key();
    await t.gate.authenticateKey(secret);
    await t.keys.revoke(USER_ID, key.id);
    t.feed.emit('users', USER_ID);
    await expect(t.gate.authenticateKey(secret)).rejects.toBeInstanceOf(InvalidApiKeyError);
    for (const wrong of ['tsk_' + 'A'.repeat(43), secret.slice(0, -1), secret + 'x', '', 'tsk_\u0000']) {
      await expect(t.gate.authenticateKey(wrong)).rejects.toBeInstanceOf(InvalidApiKeyError);
    }
  });

  it('refuses an expired key, and the key of a deleted user', async () => {
    const t = await setup();
    const expiring = await t.key(['read'], new Date(t.clock.now().getTime() + 60_000));
    await expect(t.gate.authenticateKey(expiring.secret)).resolves.toBeDefined();
    t.clock.advance(61);
    await expect(t.gate.authenticateKey(expiring.secret)).rejects.toBeInstanceOf(InvalidApiKeyError);
    const other = await t.key();
    t.users.rows.delete(USER_ID);
    t.feed.emit('users', USER_ID);
    await expect(t.gate.authenticateKey(other.secret)).rejects.toBeInstanceOf(InvalidApiKeyError);
  });

  it('records a use at most once a minute', async () => {
    const t = await setup();
    const { key, secret } = await t.key();
    await t.gate.authenticateKey(secret);
    const first = (await t.apiKeys.findByHash(key.secretHash))!.lastUsedAt;
    expect(first).toEqual(t.clock.now());
    t.clock.advance(30);
    await t.gate.authenticateKey(secret);
    expect((await t.apiKeys.findByHash(key.secretHash))!.lastUsedAt).toEqual(first);
    t.clock.advance(31);
    await t.gate.authenticateKey(secret);
    expect((await t.apiKeys.findByHash(key.secretHash))!.lastUsedAt).toEqual(t.clock.now());
  });

  it('lets only an admin give the admin scope', async () => {
    const t = await setup();
    await expect(t.key(['read', 'admin'], null, 'user')).rejects.toBeInstanceOf(ForbiddenError);
    await expect(t.key(['admin', 'read', 'admin'], null, 'admin')).resolves.toMatchObject({
      key: { scopes: ['read', 'admin'] },
    });
  });
});
