import { Migration } from '@mikro-orm/migrations';

/**
 * Signing keys Tessera made for itself (no JWT_SECRET / SHARE_KEYS configured), kept where
 * every process and every restart finds them. `purpose`: `jwt` (one row) or `share` (the
 * newest unretired row signs, every unretired one verifies).
 */
export class Migration20261206020000_ServerKeys extends Migration {
  override name = 'Migration20261206020000_ServerKeys';

  override up(): void | Promise<void> {
    this.addSql(
      `create table "server_keys" (` +
        `"purpose" text not null check ("purpose" in ('jwt', 'share')), ` +
        `"id" text not null check ("id" ~ '^[a-z0-9]{1,16}$'), ` +
        `"secret" text not null check (length("secret") >= 32), ` +
        `"created_at" timestamptz not null default now(), ` +
        `"retired_at" timestamptz null, ` +
        `primary key ("purpose", "id"));`,
    );
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists "server_keys";`);
  }
}
