import type { EntityManager } from '@mikro-orm/postgresql';
import { CompiledQuery } from 'kysely';
import type { SqlTransaction } from '#shared-kernel';

/**
 * The transaction `em` is in, as a SqlTransaction another adapter can run its own SQL in
 * (the job queue sends a job this way, so the job commits or rolls back with the rows).
 * MikroORM's transaction context is a Kysely transaction: its raw queries take `$n`
 * parameters, as pg-boss writes them.
 */
export function sqlTransactionOf(em: EntityManager): SqlTransaction {
  const context = em.getTransactionContext<{ executeQuery: (query: CompiledQuery) => Promise<{ rows: unknown[] }> }>();
  if (!context) throw new Error('sqlTransactionOf: the entity manager is not in a transaction');
  return {
    executeSql: async (text, values = []) => ({
      rows: (await context.executeQuery(CompiledQuery.raw(text, values))).rows,
    }),
  };
}
