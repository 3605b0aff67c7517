import { FixedClock, InMemoryRefreshTokenRepository, InMemoryUserRepository, PlainTextPasswordHasher } from '#testing';
import {
  CreateAdminUseCase,
  DeleteUserUseCase,
  EnsureInitialAdminUseCase,
  LastAdminError,
  ListUsersUseCase,
  RefreshToken,
  ResetPasswordUseCase,
  type Role,
  UpdateUserUseCase,
  User,
  UserNotFoundError,
  type UsersSettings,
} from '#users';

function setup(settings: Partial<UsersSettings> = {}) {
  const users = new InMemoryUserRepository();
  const refreshTokens = new InMemoryRefreshTokenRepository();
  const clock = new FixedClock();
  const hasher = new PlainTextPasswordHasher();
  const fullSettings = {
    refreshTokenTtlSeconds: 86_400,
    accessTokenTtlSeconds: 900,
    refreshReuseSeconds: 10,
    authStateCacheSeconds: 10,
    initialAdminEmail: 'Root@Example.com',
    initialAdminPassword: '',
    ...settings,
  };
  let n = 0;
  const add = async (role: Role) => {
    const user = new User({
      id: `00000000-0000-4000-8000-${String(++n).padStart(12, '0')}`,
      email: `u${n}@example.com`,
      passwordHash: 'plain:x',
      role,
      quotaBytes: null,
      quotaPanoramas: null,
      createdAt: new Date(Date.UTC(2026, 0, 1, 0, 0, n)),
      updatedAt: new Date(Date.UTC(2026, 0, 1)),
    });
    await users.insert(user);
    return user;
  };
  return {
    users,
    refreshTokens,
    add,
    resetPassword: new ResetPasswordUseCase(users, refreshTokens, hasher, clock),
    createAdmin: new CreateAdminUseCase(users, hasher, clock),
    update: new UpdateUserUseCase(users, clock),
    remove: new DeleteUserUseCase(users, { forget: () => undefined } as never),
    list: new ListUsersUseCase(users),
    initialAdmin: new EnsureInitialAdminUseCase(users, hasher, fullSettings, clock),
  };
}

describe('update and delete users', () => {
  it('changes a role and answers with the updated user', async () => {
    const t = setup();
    await t.add('admin');
    const user = await t.add('user');
    await expect(t.update.execute({ id: user.id, role: 'admin' })).resolves.toMatchObject({
      id: user.id,
      role: 'admin',
    });
  });

  it('refuses to demote or delete the last admin, but allows it once another exists', async () => {
    const t = setup();
    const first = await t.add('admin');
    await expect(t.update.execute({ id: first.id, role: 'user' })).rejects.toBeInstanceOf(LastAdminError);
    await expect(t.remove.execute(first.id)).rejects.toBeInstanceOf(LastAdminError);

    await t.add('admin');
    await expect(t.remove.execute(first.id)).resolves.toBeUndefined();
    expect(t.users.rows.has(first.id)).toBe(false);
  });

  it('reports unknown ids', async () => {
    const t = setup();
    const missing = '00000000-0000-4000-8000-999999999999';
    await expect(t.update.execute({ id: missing, role: 'user' })).rejects.toBeInstanceOf(UserNotFoundError);
    await expect(t.remove.execute(missing)).rejects.toBeInstanceOf(UserNotFoundError);
  });
});

describe('list users', () => {
  it('pages newest first with a cursor until the last page', async () => {
    const t = setup();
    const created = [];
    for (let i = 0; i < 5; i++) created.push(await t.add('user'));
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await t.list.execute({ limit: 2, cursor });
      seen.push(...page.items.map((u) => u.id));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    expect(seen).toEqual(created.map((u) => u.id).reverse());
  });
});

describe('initial admin', () => {
  it('creates the configured admin with a generated password when none is configured', async () => {
    const t = setup();
    const outcome = await t.initialAdmin.execute();
    expect(outcome).toMatchObject({ action: 'created', email: 'root@example.com' });
    const password = outcome.action === 'created' ? outcome.generatedPassword : undefined;
    expect(password).toMatch(/^[\w-]{24}$/);
    const stored = await t.users.findByEmail('root@example.com');
    expect(stored).toMatchObject({ role: 'admin', passwordHash: `plain:${password}` });
  });

  it('uses ADMIN_PASSWORD when set, and does nothing once an admin exists', async () => {
    const t = setup({ initialAdminPassword: 'configured password' });
    await expect(t.initialAdmin.execute()).resolves.toEqual({
      action: 'created',
      email: 'root@example.com',
      generatedPassword: undefined,
    });
    await expect(t.initialAdmin.execute()).resolves.toEqual({ action: 'none' });
    expect(t.users.rows.size).toBe(1);
  });

  it('says so when ADMIN_PASSWORD is set later but an admin already exists with another password', async () => {
    const first = setup();
    await first.initialAdmin.execute();
    const later = new EnsureInitialAdminUseCase(
      first.users,
      new PlainTextPasswordHasher(),
      {
        refreshTokenTtlSeconds: 86_400,
        accessTokenTtlSeconds: 900,
        refreshReuseSeconds: 10,
        authStateCacheSeconds: 10,
        initialAdminEmail: 'root@example.com',
        initialAdminPassword: 'a new password',
      },
      new FixedClock(),
    );
    await expect(later.execute()).resolves.toEqual({ action: 'password-not-applied', email: 'root@example.com' });
    expect((await first.users.findByEmail('root@example.com'))?.passwordHash).not.toBe('plain:a new password');
  });

  it('promotes an existing account with the admin email instead of failing', async () => {
    const t = setup();
    await t.users.insert(
      new User({
        id: 'a',
        email: 'root@example.com',
        passwordHash: 'plain:mine',
        role: 'user',
        quotaBytes: null,
        quotaPanoramas: null,
        createdAt: new Date(),
        updatedAt: new Date(),
      }),
    );
    await expect(t.initialAdmin.execute()).resolves.toEqual({ action: 'promoted', email: 'root@example.com' });
    expect(t.users.rows.get('a')).toMatchObject({ role: 'admin', passwordHash: 'plain:mine' });
  });
});

describe('operator recovery (npm run admin)', () => {
  const session = (id: string, userId: string) =>
    new RefreshToken({
      id,
      userId,
      familyId: `family-${id}`,
      tokenHash: `hash-${id}`,
      createdAt: new Date(),
      expiresAt: new Date(Date.now() + 86_400_000),
      usedAt: null,
      revokedAt: null,
    });

  it('resets a password (generated when not given) and ends every session of that user only', async () => {
    const t = setup();
    const admin = await t.add('admin');
    const other = await t.add('user');
    await t.refreshTokens.insert(session('s1', admin.id));
    await t.refreshTokens.insert(session('s2', admin.id));
    await t.refreshTokens.insert(session('s3', other.id));

    const { generatedPassword } = await t.resetPassword.execute({ email: ` ${admin.email.toUpperCase()} ` });
    expect(generatedPassword).toMatch(/^[\w-]{24}$/);
    expect((await t.users.findById(admin.id))?.passwordHash).toBe(`plain:${generatedPassword}`);
    expect(t.refreshTokens.rows.get('s1')?.revokedAt).not.toBeNull();
    expect(t.refreshTokens.rows.get('s2')?.revokedAt).not.toBeNull();
    expect(t.refreshTokens.rows.get('s3')?.revokedAt).toBeNull();

    await t.resetPassword.execute({ email: admin.email, password: 'chosen by the operator' });
    expect((await t.users.findById(admin.id))?.passwordHash).toBe('plain:chosen by the operator');
    await expect(t.resetPassword.execute({ email: 'nobody@example.com' })).rejects.toBeInstanceOf(UserNotFoundError);
  });

  it('creates an admin, promotes an existing user, and leaves an admin as it is', async () => {
    const t = setup();
    const created = await t.createAdmin.execute({ email: 'New@Example.com' });
    expect(created).toMatchObject({ action: 'created', user: { email: 'new@example.com', role: 'admin' } });
    expect(created.action === 'created' && created.generatedPassword).toMatch(/^[\w-]{24}$/);

    const user = await t.add('user');
    await expect(t.createAdmin.execute({ email: user.email })).resolves.toMatchObject({ action: 'promoted' });
    expect((await t.users.findById(user.id))?.role).toBe('admin');
    expect((await t.users.findById(user.id))?.passwordHash).toBe('plain:x');
    await expect(t.createAdmin.execute({ email: user.email })).resolves.toMatchObject({ action: 'unchanged' });
  });
});
