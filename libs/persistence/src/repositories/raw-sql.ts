import type { EntityManager } from '@mikro-orm/postgresql';
import { decodeCursor } from '#shared-kernel';

/**
 * Plain SQL for the repositories that need what an entity schema cannot say (text[] columns,
 * row-locked counts, aggregates). `?` parameters; always the primary.
 */
export type Run = <Row = Record<string, unknown>>(sql: string, params: unknown[]) => Promise<Row[]>;

/** SQL in the transaction `em` is in. */
export const runIn =
  (em: EntityManager): Run =>
  <Row>(sql: string, params: unknown[]) =>
    em.getConnection().execute<Row[]>(sql, params, 'all', em.getTransactionContext());

/** SQL on its own (autocommit), on a fork of `em`. */
export const runOn = (em: EntityManager): Run => runIn(em.fork());

/** A text[] parameter as one literal (the ORM would spread an array into a list); its elements need no quoting. */
export const textArray = (values: readonly string[]) => `{${values.join(',')}}`;

/** A list of ids as one jsonb parameter: `id in (select jsonb_array_elements_text(?::jsonb)::uuid)`. */
export const idList = (ids: readonly string[]) => JSON.stringify(ids);

/** Tables whose rows a user owns, counted against a per-user limit (a closed list: never input). */
type OwnedTable = 'api_keys' | 'webhook_endpoints' | 'collections';
const OWNER_COLUMN: Record<OwnedTable, string> = {
  api_keys: 'user_id',
  webhook_endpoints: 'owner_id',
  collections: 'owner_id',
};

/**
 * Runs `insert` unless the user already owns `limit` rows of `table`; false then. Counted
 * under the user's row lock, so racing inserts each count what the others committed (a user
 * deleted meanwhile: the insert fails on its foreign key).
 */
export function insertWithinOwnerLimit(
  em: EntityManager,
  table: OwnedTable,
  ownerId: string,
  limit: number,
  insert: (run: Run) => Promise<unknown>,
): Promise<boolean> {
  return em.fork().transactional(async (tx) => {
    const run = runIn(tx);
    await run(`select id from users where id = ? for update`, [ownerId]);
    const [{ held }] = await run<{ held: number }>(
      `select count(*)::int as held from ${table} where ${OWNER_COLUMN[table]} = ?`,
      [ownerId],
    );
    if (held >= limit) return false;
    await insert(run);
    return true;
  });
}

/**
 * Keyset pagination after `cursor` over (created_at, id), newest first: a condition and its
 * parameters (`true` without a cursor). A malformed cursor throws InvalidCursorError.
 */
export function keysetAfter(cursor: string | undefined, alias = ''): { sql: string; params: unknown[] } {
  if (!cursor) return { sql: 'true', params: [] };
  const after = decodeCursor(cursor);
  return { sql: `(${alias}created_at, ${alias}id) < (?::timestamptz, ?::uuid)`, params: [after.createdAt, after.id] };
}
