import { Migration } from '@mikro-orm/migrations';

/**
 * API keys (libs/users): one row per key, only the secret's SHA-256 kept, deleted with their
 * user. Deleting one (a revocation) announces its user on `tessera_users`, so every API
 * process drops what it cached about keys at once.
 */
export class Migration20261206220000_ApiKeys extends Migration {
  override name = 'Migration20261206220000_ApiKeys';

  override up(): void | Promise<void> {
    this.addSql(
      `create table "api_keys" (` +
        `"id" uuid primary key, ` +
        `"user_id" uuid not null references "users" ("id") on delete cascade, ` +
        `"name" text not null check (length("name") between 1 and 100), ` +
        `"scopes" text[] not null check (cardinality("scopes") > 0 and "scopes" <@ array['read', 'write', 'admin']), ` +
        `"hint" text not null, ` +
        `"secret_hash" text not null unique, ` +
        `"created_at" timestamptz not null, ` +
        `"expires_at" timestamptz null, ` +
        `"last_used_at" timestamptz null);`,
    );
    this.addSql(`create index "api_keys_user_index" on "api_keys" ("user_id", "created_at");`);
    this.addSql(`create function tessera_notify_api_key() returns trigger language plpgsql as $$
      begin perform pg_notify('tessera_users', old.user_id::text); return null; end $$;`);
    this.addSql(
      `create trigger api_keys_deleted after delete on "api_keys" for each row execute function tessera_notify_api_key();`,
    );
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists "api_keys";`);
    this.addSql(`drop function if exists tessera_notify_api_key();`);
  }
}
