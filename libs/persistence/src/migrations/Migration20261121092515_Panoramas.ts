import { Migration } from '@mikro-orm/migrations';

export class Migration20261121092515_Panoramas extends Migration {
  override name = 'Migration20261121092515_Panoramas';

  override up(): void | Promise<void> {
    this.addSql(
      `create table "panoramas" ("id" uuid not null, "owner_id" uuid not null, "title" varchar(200) not null, "description" text null, "original_filename" varchar(255) not null, "format" text not null, "bytes" bigint not null, "width" int not null, "height" int not null, "sha256" varchar(64) not null, "original_key" varchar(512) not null, "created_at" timestamptz not null, "updated_at" timestamptz not null, "deleted_at" timestamptz null, primary key ("id"));`,
    );
    this.addSql(
      `create index "panoramas_owner_listing_index" on "panoramas" ("owner_id", "created_at" desc, "id" desc) where "deleted_at" is null;`,
    );
    this.addSql(
      `create index "panoramas_deleted_at_index" on "panoramas" ("deleted_at") where "deleted_at" is not null;`,
    );
    this.addSql(
      `create unique index "panoramas_owner_sha256_live_unique" on "panoramas" ("owner_id", "sha256") where "deleted_at" is null;`,
    );

    this.addSql(
      `create table "tile_sets" ("id" uuid not null, "panorama_id" uuid not null, "owner_id" uuid not null, "source_key" varchar(512) not null, "source_width" int not null, "source_height" int not null, "tile_size" smallint not null, "format" text not null, "quality" smallint not null, "overlap" smallint not null, "status" text not null, "progress" double precision not null, "levels" smallint null, "tile_count" int null, "bytes" bigint null, "error_code" varchar(64) null, "created_at" timestamptz not null, "updated_at" timestamptz not null, "started_at" timestamptz null, "completed_at" timestamptz null, primary key ("id"));`,
    );
    this.addSql(`create index "tile_sets_status_index" on "tile_sets" ("status");`);
    this.addSql(
      `alter table "tile_sets" add constraint "tile_sets_panorama_options_unique" unique ("panorama_id", "tile_size", "format", "quality", "overlap");`,
    );

    this.addSql(`alter table "users" add "quota_bytes" bigint null, add "quota_panoramas" int null;`);

    this.addSql(
      `alter table "panoramas" add constraint "panoramas_owner_id_foreign" foreign key ("owner_id") references "users" ("id") on delete restrict;`,
    );
    this.addSql(
      `alter table "panoramas" add constraint "panoramas_format_check" check ("format" in ('jpeg', 'png', 'webp', 'tiff'));`,
    );

    this.addSql(
      `alter table "tile_sets" add constraint "tile_sets_panorama_id_foreign" foreign key ("panorama_id") references "panoramas" ("id") on delete cascade;`,
    );
    this.addSql(
      `alter table "tile_sets" add constraint "tile_sets_format_check" check ("format" in ('jpeg', 'png', 'webp'));`,
    );
    this.addSql(
      `alter table "tile_sets" add constraint "tile_sets_status_check" check ("status" in ('queued', 'processing', 'ready', 'failed'));`,
    );
  }

  override down(): void | Promise<void> {
    this.addSql(`alter table "tile_sets" drop constraint "tile_sets_panorama_id_foreign";`);

    this.addSql(`drop table if exists "panoramas" cascade;`);
    this.addSql(`drop table if exists "tile_sets" cascade;`);

    this.addSql(`alter table "users" drop column "quota_bytes", drop column "quota_panoramas";`);
  }
}
