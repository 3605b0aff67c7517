import { loadConfig } from '#config';
import { FixedClock, InMemoryRefreshTokenRepository, InMemoryUserRepository, PlainTextPasswordHasher } from '#testing';
import {
  EmailAlreadyRegisteredError,
  hashRefreshToken,
  InvalidCredentialsError,
  InvalidRefreshTokenError,
  JwtAccessTokens,
  LoginUseCase,
  LogoutUseCase,
  RefreshTokensUseCase,
  RegisterUserUseCase,
  SessionTokens,
  type UsersSettings,
} from '#users';

const TTL = 7 * 86_400;
const REUSE = 10;

function setup(refreshReuseSeconds = REUSE) {
  const users = new InMemoryUserRepository();
  const tokens = new InMemoryRefreshTokenRepository();
  const hasher = new PlainTextPasswordHasher();
  const clock = new FixedClock();
  const settings: UsersSettings = {
    refreshTokenTtlSeconds: TTL,
    accessTokenTtlSeconds: 900,
    refreshReuseSeconds,
    authStateCacheSeconds: 10,
    initialAdminEmail: 'admin@x.test',
    initialAdminPassword: '',
  };
  const accessTokens = new JwtAccessTokens(loadConfig({ JWT_SECRET: 's'.repeat(40) }));
  const sessions = new SessionTokens(accessTokens, tokens, settings, clock);
  return {
    users,
    tokens,
    hasher,
    clock,
    accessTokens,
    register: new RegisterUserUseCase(users, hasher, clock),
    login: new LoginUseCase(users, hasher, sessions),
    refresh: new RefreshTokensUseCase(tokens, users, sessions, clock, settings),
    logout: new LogoutUseCase(tokens, clock),
  };
}

describe('register', () => {
  it('stores a normalised email, a hash (never the password) and the user role', async () => {
    const t = setup();
    const user = await t.register.execute({ email: '  Ada@Example.COM ', password: 'a long password' });
    expect(user).toMatchObject({ email: 'ada@example.com', role: 'user' });
    expect(t.users.rows.get(user.id)?.passwordHash).toBe('plain:a long password');
  });

  it('refuses a second account with the same email in another case', async () => {
    const t = setup();
    await t.register.execute({ email: 'ada@example.com', password: 'a long password' });
    await expect(t.register.execute({ email: 'ADA@example.com', password: 'another password' })).rejects.toBeInstanceOf(
      EmailAlreadyRegisteredError,
    );
  });
});

describe('login', () => {
  it('issues an access token for the user and stores only the refresh token hash', async () => {
    const t = setup();
    const user = await t.register.execute({ email: 'ada@example.com', password: 'a long password' });
    const pair = await t.login.execute({ email: 'ADA@example.com', password: 'a long password' });

    expect(pair.tokenType).toBe('Bearer');
    await expect(t.accessTokens.verify(pair.accessToken)).resolves.toMatchObject({ userId: user.id, role: 'user' });
    const stored = [...t.tokens.rows.values()];
    expect(stored).toHaveLength(1);
    expect(stored[0].tokenHash).toBe(hashRefreshToken(pair.refreshToken));
    expect(stored[0].expiresAt.getTime() - t.clock.now().getTime()).toBe(TTL * 1000);
  });

  it('answers an unknown email exactly like a wrong password, after the same hash verification', async () => {
    const t = setup();
    await t.register.execute({ email: 'ada@example.com', password: 'a long password' });
    t.login.onModuleInit();

    const wrongPassword = await t.login
      .execute({ email: 'ada@example.com', password: 'wrong password!' })
      .catch((e: unknown) => e);
    const unknownEmail = await t.login
      .execute({ email: 'bob@example.com', password: 'wrong password!' })
      .catch((e: unknown) => e);

    expect(wrongPassword).toBeInstanceOf(InvalidCredentialsError);
    expect(unknownEmail).toBeInstanceOf(InvalidCredentialsError);
    expect((unknownEmail as Error).message).toBe((wrongPassword as Error).message);
    expect(t.hasher.verified).toHaveLength(2); // the unknown email still paid for a verify
  });
});

describe('refresh', () => {
  async function loggedIn(reuse = REUSE) {
    const t = setup(reuse);
    await t.register.execute({ email: 'ada@example.com', password: 'a long password' });
    return { ...t, pair: await t.login.execute({ email: 'ada@example.com', password: 'a long password' }) };
  }

  it('rotates: the new refresh token works once, the old one is spent', async () => {
    const t = await loggedIn();
    const second = await t.refresh.execute({ refreshToken: t.pair.refreshToken });
    expect(second.refreshToken).not.toBe(t.pair.refreshToken);
    const third = await t.refresh.execute({ refreshToken: second.refreshToken });
    expect(third.refreshToken).not.toBe(second.refreshToken);
  });

  it('revokes the whole family when a rotated token is replayed after the reuse interval', async () => {
    const t = await loggedIn();
    const second = await t.refresh.execute({ refreshToken: t.pair.refreshToken });
    t.clock.advance(REUSE + 1);

    await expect(t.refresh.execute({ refreshToken: t.pair.refreshToken })).rejects.toBeInstanceOf(
      InvalidRefreshTokenError,
    );
    // The legitimate holder of the newest token is logged out too.
    await expect(t.refresh.execute({ refreshToken: second.refreshToken })).rejects.toBeInstanceOf(
      InvalidRefreshTokenError,
    );
    expect([...t.tokens.rows.values()].every((row) => row.revokedAt)).toBe(true);
  });

  it('gives a token rotated moments ago a new pair of the same session (two tabs racing one refresh)', async () => {
    const t = await loggedIn();
    const [a, b] = await Promise.all([
      t.refresh.execute({ refreshToken: t.pair.refreshToken }),
      t.refresh.execute({ refreshToken: t.pair.refreshToken }),
    ]);
    expect(a.refreshToken).not.toBe(b.refreshToken);
    t.clock.advance(REUSE - 1);
    const late = await t.refresh.execute({ refreshToken: t.pair.refreshToken });
    // Every pair still works, none of the session was revoked.
    for (const pair of [a, b, late])
      await expect(t.refresh.execute({ refreshToken: pair.refreshToken })).resolves.toBeDefined();
    const rows = [...t.tokens.rows.values()];
    expect(new Set(rows.map((row) => row.familyId)).size).toBe(1);
    expect(rows.some((row) => row.revokedAt)).toBe(false);
  });

  it('with no reuse interval, gives one winner to requests racing on one token and revokes the session', async () => {
    const t = await loggedIn(0);
    // The fixed clock reads the same instant for all three, as requests racing the rotation do.
    const results = await Promise.allSettled(
      [1, 2, 3].map(() => t.refresh.execute({ refreshToken: t.pair.refreshToken })),
    );
    expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected', 'rejected']);
    for (const r of results) if (r.status === 'rejected') expect(r.reason).toBeInstanceOf(InvalidRefreshTokenError);
    expect([...t.tokens.rows.values()].every((row) => row.revokedAt)).toBe(true);
  });

  it('leaves no live token in a session a logout revokes while a racing refresh stores its new one', async () => {
    const t = await loggedIn();
    await t.refresh.execute({ refreshToken: t.pair.refreshToken });
    // The logout lands between the replay's read and its insert.
    const insert = t.tokens.insert.bind(t.tokens);
    t.tokens.insert = async (token) => {
      await t.tokens.revokeFamily(token.familyId, t.clock.now());
      await insert(token);
    };
    await expect(t.refresh.execute({ refreshToken: t.pair.refreshToken })).rejects.toBeInstanceOf(
      InvalidRefreshTokenError,
    );
    expect([...t.tokens.rows.values()].every((row) => row.revokedAt)).toBe(true);
  });

  it('refuses an expired token and an unknown one', async () => {
    const t = await loggedIn();
    await expect(t.refresh.execute({ refreshToken: 'not-a-token' })).rejects.toBeInstanceOf(InvalidRefreshTokenError);
    t.clock.advance(TTL);
    await expect(t.refresh.execute({ refreshToken: t.pair.refreshToken })).rejects.toBeInstanceOf(
      InvalidRefreshTokenError,
    );
  });

  it('does not keep a session alive for a user that was deleted', async () => {
    const t = await loggedIn();
    t.users.rows.clear();
    await expect(t.refresh.execute({ refreshToken: t.pair.refreshToken })).rejects.toBeInstanceOf(
      InvalidRefreshTokenError,
    );
  });
});

describe('logout', () => {
  it('revokes the family of the presented token only for its owner', async () => {
    const t = setup();
    const ada = await t.register.execute({ email: 'ada@example.com', password: 'a long password' });
    const pair = await t.login.execute({ email: 'ada@example.com', password: 'a long password' });

    await t.logout.execute({ refreshToken: pair.refreshToken, userId: 'someone-else' });
    const stillValid = await t.refresh.execute({ refreshToken: pair.refreshToken });

    await t.logout.execute({ refreshToken: stillValid.refreshToken, userId: ada.id });
    await expect(t.refresh.execute({ refreshToken: stillValid.refreshToken })).rejects.toBeInstanceOf(
      InvalidRefreshTokenError,
    );
  });

  it('is quiet about unknown tokens', async () => {
    const t = setup();
    await expect(t.logout.execute({ refreshToken: 'unknown', userId: 'x' })).resolves.toBeUndefined();
  });
});
