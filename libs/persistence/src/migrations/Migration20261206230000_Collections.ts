import { Migration } from '@mikro-orm/migrations';

/**
 * Collections (libs/collections) and tags on panoramas.
 *
 * - A collection groups panoramas of its owner (a panorama can be in several); rows go with
 *   the collection, the panorama (at purge) or the owner.
 * - `changed_at` is the last time something that decides the collection's completion
 *   changed: a member added, taken out or deleted, a member's tile set or rendition reaching
 *   ready or failed (set by the triggers below, in that change's transaction). `completed_at` is when
 *   `collection.completed` was last raised; a collection is due another once
 *   `changed_at > completed_at` and it is complete again (see SettleCollectionsUseCase).
 * - Every change of a member's tile set or rendition (progress included) and of the
 *   membership is announced on `tessera_collections` with the collection id (live status).
 * - panoramas.tags: free labels, searched with a GIN index.
 */
export class Migration20261206230000_Collections extends Migration {
  override name = 'Migration20261206230000_Collections';

  override up(): void | Promise<void> {
    this.addSql(
      `create table "collections" (` +
        `"id" uuid primary key, ` +
        `"owner_id" uuid not null references "users" ("id") on delete cascade, ` +
        `"name" text not null check (length("name") between 1 and 200), ` +
        `"description" text null check (length("description") <= 2000), ` +
        `"created_at" timestamptz not null, ` +
        `"updated_at" timestamptz not null, ` +
        `"changed_at" timestamptz not null, ` +
        `"completed_at" timestamptz null);`,
    );
    this.addSql(`create index "collections_owner_index" on "collections" ("owner_id", "created_at" desc, "id" desc);`);
    this.addSql(
      `create index "collections_unsettled_index" on "collections" ("changed_at") where "completed_at" is null or "completed_at" < "changed_at";`,
    );
    this.addSql(
      `create table "collection_panoramas" (` +
        `"collection_id" uuid not null references "collections" ("id") on delete cascade, ` +
        `"panorama_id" uuid not null references "panoramas" ("id") on delete cascade, ` +
        `"added_at" timestamptz not null, ` +
        `primary key ("collection_id", "panorama_id"));`,
    );
    this.addSql(`create index "collection_panoramas_panorama_index" on "collection_panoramas" ("panorama_id");`);
    this.addSql(
      `create index "collection_panoramas_listing_index" on "collection_panoramas" ("collection_id", "added_at" desc, "panorama_id" desc);`,
    );

    this.addSql(`create function tessera_collection_member_changed() returns trigger language plpgsql as $$
      declare
        terminal boolean := false;
        c record;
      begin
        if tg_op = 'UPDATE' then
          terminal := new.status is distinct from old.status and new.status in ('ready', 'failed');
        end if;
        for c in select cp.collection_id from collection_panoramas cp where cp.panorama_id = new.panorama_id loop
          if terminal then update collections set changed_at = now() where id = c.collection_id; end if;
          perform pg_notify('tessera_collections', c.collection_id::text);
        end loop;
        return null;
      end $$;`);
    this.addSql(
      `create trigger tile_sets_collection_member after update on "tile_sets" for each row execute function tessera_collection_member_changed();`,
    );
    this.addSql(
      `create trigger renditions_collection_member after insert or update on "renditions" for each row execute function tessera_collection_member_changed();`,
    );
    this.addSql(`create function tessera_collection_membership() returns trigger language plpgsql as $$
      declare target uuid := coalesce(new.collection_id, old.collection_id);
      begin
        update collections set changed_at = now() where collections.id = target;
        perform pg_notify('tessera_collections', target::text);
        return null;
      end $$;`);
    this.addSql(
      `create trigger collection_panoramas_changed after insert or delete on "collection_panoramas" for each row execute function tessera_collection_membership();`,
    );
    this.addSql(`create function tessera_collection_panorama_deleted() returns trigger language plpgsql as $$
      begin
        if old.deleted_at is null and new.deleted_at is not null then
          update collections c set changed_at = now() from collection_panoramas cp
           where cp.panorama_id = new.id and c.id = cp.collection_id;
          perform pg_notify('tessera_collections', cp.collection_id::text) from collection_panoramas cp where cp.panorama_id = new.id;
        end if;
        return null;
      end $$;`);
    this.addSql(
      `create trigger panoramas_collection_member after update of "deleted_at" on "panoramas" for each row execute function tessera_collection_panorama_deleted();`,
    );

    this.addSql(`alter table "panoramas" add "tags" text[] not null default '{}';`);
    this.addSql(`create index "panoramas_tags_index" on "panoramas" using gin ("tags");`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop index if exists "panoramas_tags_index";`);
    this.addSql(`alter table "panoramas" drop column "tags";`);
    this.addSql(`drop trigger if exists panoramas_collection_member on "panoramas";`);
    this.addSql(`drop trigger if exists renditions_collection_member on "renditions";`);
    this.addSql(`drop trigger if exists tile_sets_collection_member on "tile_sets";`);
    this.addSql(`drop table if exists "collection_panoramas";`);
    this.addSql(`drop table if exists "collections";`);
    this.addSql(`drop function if exists tessera_collection_panorama_deleted();`);
    this.addSql(`drop function if exists tessera_collection_membership();`);
    this.addSql(`drop function if exists tessera_collection_member_changed();`);
  }
}
