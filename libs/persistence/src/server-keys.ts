import { randomBytes } from 'node:crypto';
import pg from 'pg';

export interface StoredShareKey {
  id: string;
  secret: string;
  createdAt: Date;
  retiredAt: Date | null;
}

/** A new secret: 48 random bytes, base64url (64 characters). */
const newSecret = () => randomBytes(48).toString('base64url');

async function withClient<T>(databaseUrl: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: databaseUrl, application_name: 'tessera-keys' });
  client.on('error', () => undefined);
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * The signing key for login tokens that Tessera keeps in its database (`server_keys`),
 * made on first use. Every process and every restart gets the same one: concurrent first
 * starts race on the primary key, and the loser reads the winner's.
 */
export function storedJwtSecret(databaseUrl: string): Promise<string> {
  return withClient(databaseUrl, async (client) => {
    await client.query(
      `insert into server_keys (purpose, id, secret) values ('jwt', 'j1', $1) on conflict do nothing`,
      [newSecret()],
    );
    const { rows } = await client.query<{ secret: string }>(
      `select secret from server_keys where purpose = 'jwt' and retired_at is null order by created_at desc limit 1`,
    );
    if (!rows[0]) throw new Error('server_keys holds no usable login-token key (all retired?)');
    return rows[0].secret;
  });
}

/**
 * The share-link keys kept in the database, newest first (the first signs; every unretired
 * one verifies). `ensure`: make the first (`s1`) when there is none.
 */
export function storedShareKeys(databaseUrl: string, options: { ensure?: boolean } = {}): Promise<StoredShareKey[]> {
  return withClient(databaseUrl, async (client) => {
    if (options.ensure) {
      await client.query(
        `insert into server_keys (purpose, id, secret)
         select 'share', 's1', $1 where not exists (select 1 from server_keys where purpose = 'share')
         on conflict do nothing`,
        [newSecret()],
      );
    }
    const { rows } = await client.query<{ id: string; secret: string; created_at: Date; retired_at: Date | null }>(
      `select id, secret, created_at, retired_at from server_keys where purpose = 'share'
       order by created_at desc, id desc`,
    );
    return rows.map((r) => ({ id: r.id, secret: r.secret, createdAt: r.created_at, retiredAt: r.retired_at }));
  });
}

/** Rotation, step 1: a new share key that signs from now on (the others still verify). Returns its id. */
export function addShareKey(databaseUrl: string): Promise<string> {
  return withClient(databaseUrl, async (client) => {
    const { rows } = await client.query<{ id: string }>(
      `insert into server_keys (purpose, id, secret)
       select 'share', 's' || (coalesce(max(substring(id from 2)::int), 0) + 1), $1
       from server_keys where purpose = 'share' and id ~ '^s[0-9]{1,9}$'
       returning id`,
      [newSecret()],
    );
    return rows[0].id;
  });
}

/**
 * Rotation, step 2: links signed with share key `id` stop working (within a minute on every
 * process). False when there is no such unretired key; refused for the last unretired one.
 */
export function retireShareKey(databaseUrl: string, id: string): Promise<boolean> {
  return withClient(databaseUrl, async (client) => {
    const { rowCount } = await client.query(
      `update server_keys set retired_at = now()
       where purpose = 'share' and id = $1 and retired_at is null
         and exists (select 1 from server_keys where purpose = 'share' and retired_at is null and id <> $1)`,
      [id],
    );
    return (rowCount ?? 0) > 0;
  });
}
