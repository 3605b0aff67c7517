import { Migration } from '@mikro-orm/migrations';

/**
 * Listed share links (libs/sharing): one row per link an owner can see, label and revoke.
 * The resource is a tile set or a rendition (one foreign key each, exactly one set), so a
 * link goes with its resource. Revoking one announces it on `tessera_shares` (payload
 * `{id} {expiry in Unix seconds}`), which every API process adds to its revoked set.
 */
export class Migration20261206050000_ShareLinks extends Migration {
  override name = 'Migration20261206050000_ShareLinks';

  override up(): void | Promise<void> {
    this.addSql(
      `create table "share_links" (` +
        `"id" uuid primary key, ` +
        `"kind" text not null check ("kind" in ('tileset', 'rendition')), ` +
        `"tile_set_id" uuid null references "tile_sets" ("id") on delete cascade, ` +
        `"rendition_id" uuid null references "renditions" ("id") on delete cascade, ` +
        `"created_by" uuid not null references "users" ("id") on delete cascade, ` +
        `"label" text null check (length("label") between 1 and 100), ` +
        `"key_id" text not null, ` +
        `"epoch" integer not null, ` +
        `"created_at" timestamptz not null, ` +
        `"expires_at" timestamptz not null, ` +
        `"revoked_at" timestamptz null, ` +
        `"last_used_at" timestamptz null, ` +
        `check (("kind" = 'tileset') = ("tile_set_id" is not null) and ("kind" = 'rendition') = ("rendition_id" is not null)));`,
    );
    this.addSql(`create index "share_links_tile_set_index" on "share_links" ("tile_set_id", "expires_at");`);
    this.addSql(`create index "share_links_rendition_index" on "share_links" ("rendition_id", "expires_at");`);
    this.addSql(`create index "share_links_created_by_index" on "share_links" ("created_by");`);
    this.addSql(
      `create index "share_links_revoked_index" on "share_links" ("expires_at") where "revoked_at" is not null;`,
    );
    this.addSql(`create function tessera_notify_share_link() returns trigger language plpgsql as $$
      begin
        perform pg_notify('tessera_shares', new.id::text || ' ' || floor(extract(epoch from new.expires_at))::bigint::text);
        return null;
      end $$;`);
    this.addSql(
      `create trigger share_links_revoked after update of "revoked_at" on "share_links" for each row ` +
        `when (old.revoked_at is null and new.revoked_at is not null) execute function tessera_notify_share_link();`,
    );
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists "share_links";`);
    this.addSql(`drop function if exists tessera_notify_share_link();`);
  }
}
