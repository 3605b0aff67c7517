import { Migration } from '@mikro-orm/migrations';

/**
 * The change feed (PgChangeFeed) and access-token revocation:
 * - triggers announce every change of a user, a revoked session and a tile set on the
 *   channels tessera_users / tessera_tilesets (PostgreSQL folds identical notifications of
 *   one transaction into one);
 * - users.tokens_valid_after: access tokens issued before it are refused (a password reset).
 */
export class Migration20261122070000_ChangeFeed extends Migration {
  override name = 'Migration20261122070000_ChangeFeed';

  override up(): void | Promise<void> {
    this.addSql(`alter table "users" add "tokens_valid_after" timestamptz null;`);
    this.addSql(
      `create index "refresh_tokens_user_revoked_index" on "refresh_tokens" ("user_id", "revoked_at") where "revoked_at" is not null;`,
    );
    this.addSql(`create function tessera_notify_user() returns trigger language plpgsql as $$
      begin perform pg_notify('tessera_users', old.id::text); return null; end $$;`);
    this.addSql(
      `create trigger users_changed after update or delete on "users" for each row execute function tessera_notify_user();`,
    );
    this.addSql(`create function tessera_notify_session() returns trigger language plpgsql as $$
      begin perform pg_notify('tessera_users', new.user_id::text); return null; end $$;`);
    this.addSql(
      `create trigger refresh_tokens_revoked after update of "revoked_at" on "refresh_tokens" for each row ` +
        `when (old.revoked_at is null and new.revoked_at is not null) execute function tessera_notify_session();`,
    );
    this.addSql(`create function tessera_notify_tile_set() returns trigger language plpgsql as $$
      begin perform pg_notify('tessera_tilesets', old.id::text); return null; end $$;`);
    this.addSql(
      `create trigger tile_sets_changed after update or delete on "tile_sets" for each row execute function tessera_notify_tile_set();`,
    );
  }

  override down(): void | Promise<void> {
    this.addSql(`drop trigger if exists tile_sets_changed on "tile_sets";`);
    this.addSql(`drop trigger if exists refresh_tokens_revoked on "refresh_tokens";`);
    this.addSql(`drop trigger if exists users_changed on "users";`);
    this.addSql(`drop function if exists tessera_notify_tile_set();`);
    this.addSql(`drop function if exists tessera_notify_session();`);
    this.addSql(`drop function if exists tessera_notify_user();`);
    this.addSql(`drop index if exists "refresh_tokens_user_revoked_index";`);
    this.addSql(`alter table "users" drop column "tokens_valid_after";`);
  }
}
