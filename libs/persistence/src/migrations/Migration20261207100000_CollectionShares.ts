import { Migration } from '@mikro-orm/migrations';

/**
 * Share links of collections: a third kind of listed link (`collection_id`, going with the
 * collection). A collection link opens its members' tile sets and renditions through tokens
 * that name the link and the collection (see ShareLinks), so revoking the link ends them all.
 */
export class Migration20261207100000_CollectionShares extends Migration {
  override name = 'Migration20261207100000_CollectionShares';

  override up(): void | Promise<void> {
    this.addSql(
      `alter table "share_links" add "collection_id" uuid null references "collections" ("id") on delete cascade;`,
    );
    this.addSql(`alter table "share_links" drop constraint "share_links_kind_check";`);
    this.addSql(`alter table "share_links" drop constraint "share_links_check";`);
    this.addSql(
      `alter table "share_links" add constraint "share_links_kind_check" check ("kind" in ('tileset', 'rendition', 'collection'));`,
    );
    this.addSql(
      `alter table "share_links" add constraint "share_links_check" check (` +
        `("kind" = 'tileset') = ("tile_set_id" is not null) and ("kind" = 'rendition') = ("rendition_id" is not null) ` +
        `and ("kind" = 'collection') = ("collection_id" is not null));`,
    );
    this.addSql(`create index "share_links_collection_index" on "share_links" ("collection_id", "expires_at");`);
  }

  override down(): void | Promise<void> {
    this.addSql(`delete from "share_links" where "kind" = 'collection';`);
    this.addSql(`drop index if exists "share_links_collection_index";`);
    this.addSql(`alter table "share_links" drop constraint "share_links_check";`);
    this.addSql(`alter table "share_links" drop constraint "share_links_kind_check";`);
    this.addSql(`alter table "share_links" drop column "collection_id";`);
    this.addSql(
      `alter table "share_links" add constraint "share_links_kind_check" check ("kind" in ('tileset', 'rendition'));`,
    );
    this.addSql(
      `alter table "share_links" add constraint "share_links_check" check (` +
        `("kind" = 'tileset') = ("tile_set_id" is not null) and ("kind" = 'rendition') = ("rendition_id" is not null));`,
    );
  }
}
