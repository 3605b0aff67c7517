import { FixedClock, InMemoryUserRepository, PlainTextPasswordHasher } from '#testing';
import {
  DeleteUserUseCase,
  EnsureInitialAdminUseCase,
  LastAdminError,
  ListUsersUseCase,
  type Role,
  UpdateUserUseCase,
  User,
  UserNotFoundError,
  type UsersSettings,
} from '#users';

function setup(settings: Partial<UsersSettings> = {}) {
  const users = new InMemoryUserRepository();
  const clock = new FixedClock();
  const hasher = new PlainTextPasswordHasher();
  const fullSettings = { refreshTokenTtlSeconds: 86_400, initialAdminEmail: 'Root@Example.com', initialAdminPassword: '', ...settings };
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
    add,
    update: new UpdateUserUseCase(users, clock),
    remove: new DeleteUserUseCase(users),
    list: new ListUsersUseCase(users),
    initialAdmin: new EnsureInitialAdminUseCase(users, hasher, fullSettings, clock),
  };
}

describe('update and delete users', () => {
  it('changes a role and answers with the updated user', async () => {
    const t = setup();
    await t.add('admin');
    const user = await t.add('user');
    await expect(t.update.execute({ id: user.id, role: 'admin' })).resolves.toMatchObject({ id: user.id, role: 'admin' });
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
    await expect(t.initialAdmin.execute()).resolves.toEqual({ action: 'created', email: 'root@example.com', generatedPassword: undefined });
    await expect(t.initialAdmin.execute()).resolves.toEqual({ action: 'none' });
    expect(t.users.rows.size).toBe(1);
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
