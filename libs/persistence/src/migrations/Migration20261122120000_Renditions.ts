import { Migration } from '@mikro-orm/migrations';

/**
 * Renditions (derived images of a panorama): rows cascade with their panorama; one per
 * panorama and spec key; the owner's ready renditions count against the byte quota (hence
 * the owner index); every change is announced on tessera_renditions for status streams.
 */
export class Migration20261122120000_Renditions extends Migration {
  override name = 'Migration20261122120000_Renditions';

  override up(): void | Promise<void> {
    this.addSql(
      `create table "renditions" ("id" uuid not null, "panorama_id" uuid not null, "owner_id" uuid not null, "name" varchar(32) null, "width" int not null, "height" int not null, "fit" text not null, "position" text null, "format" text not null, "quality" smallint null, "effort" smallint null, "spec_key" varchar(128) not null, "key" varchar(512) not null, "status" text not null, "bytes" bigint null, "sha256" varchar(64) null, "error_code" varchar(64) null, "created_at" timestamptz not null, "updated_at" timestamptz not null, "started_at" timestamptz null, "completed_at" timestamptz null, primary key ("id"));`,
    );
    this.addSql(
      `alter table "renditions" add constraint "renditions_panorama_spec_unique" unique ("panorama_id", "spec_key");`,
    );
    this.addSql(`create index "renditions_owner_ready_index" on "renditions" ("owner_id") where "status" = 'ready';`);
    // Usage by kind (ownersUsage) reads these per owner.
    this.addSql(`create index "panoramas_owner_index" on "panoramas" ("owner_id");`);
    this.addSql(`create index "tile_sets_owner_ready_index" on "tile_sets" ("owner_id") where "status" = 'ready';`);
    this.addSql(`create index "renditions_queued_index" on "renditions" ("created_at") where "status" = 'queued';`);
    this.addSql(
      `alter table "renditions" add constraint "renditions_panorama_id_foreign" foreign key ("panorama_id") references "panoramas" ("id") on delete cascade;`,
    );
    this.addSql(`alter table "renditions" add constraint "renditions_fit_check" check ("fit" in ('inside', 'cover'));`);
    this.addSql(
      `alter table "renditions" add constraint "renditions_position_check" check ("position" in ('center', 'top', 'bottom', 'left', 'right', 'top-left', 'top-right', 'bottom-left', 'bottom-right', 'entropy', 'attention'));`,
    );
    this.addSql(
      `alter table "renditions" add constraint "renditions_format_check" check ("format" in ('jpeg', 'png', 'webp', 'avif'));`,
    );
    this.addSql(
      `alter table "renditions" add constraint "renditions_status_check" check ("status" in ('queued', 'processing', 'ready', 'failed'));`,
    );
    this.addSql(`create function tessera_notify_rendition() returns trigger language plpgsql as $$
      begin perform pg_notify('tessera_renditions', old.id::text); return null; end $$;`);
    this.addSql(
      `create trigger renditions_changed after update or delete on "renditions" for each row execute function tessera_notify_rendition();`,
    );
  }

  override down(): void | Promise<void> {
    this.addSql(`drop trigger if exists renditions_changed on "renditions";`);
    this.addSql(`drop function if exists tessera_notify_rendition();`);
    this.addSql(`drop table if exists "renditions" cascade;`);
    this.addSql(`drop index if exists "tile_sets_owner_ready_index";`);
    this.addSql(`drop index if exists "panoramas_owner_index";`);
  }
}
