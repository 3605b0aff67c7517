import {
  EntityManager,
  ForeignKeyConstraintViolationException,
  UniqueConstraintViolationException,
} from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { ReadReplicas } from '../read-replicas/read-replicas.js';
import { decodeCursor, type Page, type PageRequest, toPage } from '#shared-kernel';
import {
  type AuthState,
  EmailAlreadyRegisteredError,
  LastAdminError,
  type Role,
  User,
  type UserChanges,
  UserHasPanoramasError,
  UserRepository,
} from '#users';

/**
 * Each method works in its own fork of the EntityManager: repositories hand out detached
 * domain objects and never depend on a request context.
 */
@Injectable()
export class MikroOrmUserRepository extends UserRepository {
  constructor(
    private readonly em: EntityManager,
    private readonly replicas: ReadReplicas,
  ) {
    super();
  }

  findById(id: string): Promise<User | null> {
    return this.em.fork().findOne(User, { id });
  }

  findByEmail(normalisedEmail: string): Promise<User | null> {
    return this.em.fork().findOne(User, { email: normalisedEmail });
  }

  async insert(user: User): Promise<void> {
    try {
      await this.em.fork().insert(User, { ...user });
    } catch (error) {
      if (error instanceof UniqueConstraintViolationException) throw new EmailAlreadyRegisteredError();
      throw error;
    }
  }

  async list({ limit, cursor }: PageRequest): Promise<Page<User>> {
    const after = cursor ? decodeCursor(cursor) : undefined;
    const rows = await this.replicas.read(() =>
      this.em
        .fork()
        .find(
          User,
          after
            ? { $or: [{ createdAt: { $lt: after.createdAt } }, { createdAt: after.createdAt, id: { $lt: after.id } }] }
            : {},
          { orderBy: { createdAt: 'desc', id: 'desc' }, limit: limit + 1, connectionType: 'read' },
        ),
    );
    return toPage(rows, limit);
  }

  countByRole(role: Role): Promise<number> {
    return this.em.fork().count(User, { role });
  }

  update(id: string, changes: UserChanges, at: Date): Promise<boolean> {
    const set = Object.fromEntries(Object.entries(changes).filter(([, v]) => v !== undefined));
    const demotes = changes.role !== undefined && changes.role !== 'admin';
    return this.withAdminGuard(
      id,
      !demotes,
      async (em) => (await em.nativeUpdate(User, { id }, { ...set, updatedAt: at })) > 0,
    );
  }

  async setPasswordHash(id: string, passwordHash: string, at: Date): Promise<boolean> {
    return (await this.em.fork().nativeUpdate(User, { id }, { passwordHash, tokensValidAfter: at, updatedAt: at })) > 0;
  }

  async authState(id: string, revokedSince: Date): Promise<AuthState | null> {
    const [row] = await this.em
      .fork()
      .getConnection()
      .execute<{ role: Role; tokens_valid_after: string | Date | null; revoked: string[] }[]>(
        `select u.role, u.tokens_valid_after,
              coalesce(array_agg(r.family_id) filter (where r.family_id is not null), '{}') as revoked
         from users u
         left join refresh_tokens r on r.user_id = u.id and r.revoked_at > ?
        where u.id = ?
        group by u.id`,
        [revokedSince, id],
      );
    if (!row) return null;
    return {
      role: row.role,
      // Raw rows carry timestamps as MikroORM's driver leaves them: strings.
      tokensValidAfter: row.tokens_valid_after === null ? null : new Date(row.tokens_valid_after),
      revokedSessions: new Set(row.revoked),
    };
  }

  async delete(id: string): Promise<boolean> {
    try {
      return await this.withAdminGuard(id, false, async (em) => (await em.nativeDelete(User, { id })) > 0);
    } catch (error) {
      // panoramas.owner_id is ON DELETE RESTRICT: SQLSTATE 23503 up to PostgreSQL 17, 23001
      // (restrict_violation, which MikroORM does not map) from 18 on.
      if (error instanceof ForeignKeyConstraintViolationException || sqlState(error) === '23001') {
        throw new UserHasPanoramasError();
      }
      throw error;
    }
  }

  /**
   * Runs `change` in a transaction that first locks the admin rows, so that two concurrent
   * demotions/deletions of the last two admins cannot both succeed.
   */
  private withAdminGuard(
    id: string,
    staysAdmin: boolean,
    change: (em: EntityManager) => Promise<boolean>,
  ): Promise<boolean> {
    return this.em.fork().transactional(async (em) => {
      const admins = await em
        .getConnection()
        .execute<{ id: string }[]>(
          `select id from users where role = 'admin' for update`,
          [],
          'all',
          em.getTransactionContext(),
        );
      const isAdmin = admins.some((row) => row.id === id);
      if (isAdmin && !staysAdmin && admins.length === 1) throw new LastAdminError();
      return change(em);
    });
  }
}

function sqlState(error: unknown): string | undefined {
  const { code, sqlState } = (error ?? {}) as { code?: unknown; sqlState?: unknown };
  return typeof sqlState === 'string' ? sqlState : typeof code === 'string' ? code : undefined;
}
