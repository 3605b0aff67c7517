import { randomBytes } from 'node:crypto';
import pg from 'pg';

/**
 * Throwaway PostgreSQL databases for tests. Every name ends in `_test`, and nothing here
 * will create or drop a database whose name does not: a mistyped URL cannot reach real data.
 */
export const TEST_DATABASE_SUFFIX = '_test';

export function assertTestDatabaseName(name: string): void {
  if (!/^[a-z0-9_]+_test$/.test(name)) {
    throw new Error(`Refusing to touch database "${name}": test databases must be named *${TEST_DATABASE_SUFFIX}.`);
  }
}

/**
 * Where test databases live: the server of TEST_DATABASE_URL, which the jest global setup
 * sets (a local server, or an embedded one it started).
 */
export const serverUrl = () => new URL(process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres');

export interface TestDatabase {
  name: string;
  url: string;
  drop(): Promise<void>;
}

async function withAdminClient<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const url = serverUrl();
  url.pathname = '/postgres';
  const client = new pg.Client({ connectionString: url.toString() });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/**
 * A new, empty `*_test` database; with `migrated`, a copy of the migrated one the jest global
 * setup made for the run (TEST_TEMPLATE_DATABASE, see test/setup/test-services.mjs): a copy
 * takes about 0.1 s where running every migration takes about 1 s. An app started on it still
 * applies whatever migration the copy lacks.
 */
export async function createTestDatabase(
  label = 'tessera',
  options: { migrated?: boolean } = {},
): Promise<TestDatabase> {
  const name = `${label}_${randomBytes(4).toString('hex')}${TEST_DATABASE_SUFFIX}`.toLowerCase();
  assertTestDatabaseName(name);
  const template = options.migrated ? process.env.TEST_TEMPLATE_DATABASE : undefined;
  if (template) assertTestDatabaseName(template);
  await withAdminClient((client) =>
    client.query(`create database "${name}"${template ? ` template "${template}"` : ''}`),
  );
  const url = serverUrl();
  url.pathname = `/${name}`;
  return { name, url: url.toString(), drop: () => dropTestDatabase(name) };
}

export async function dropTestDatabase(name: string): Promise<void> {
  assertTestDatabaseName(name);
  await withAdminClient((client) => client.query(`drop database if exists "${name}" with (force)`));
}
