import { Migration } from '@mikro-orm/migrations';

/**
 * Panoramas know their projection (flat or a 360° equirectangular sphere; existing rows are
 * flat). Share links (capability URLs) carry their resource's share epoch; raising it revokes every
 * link at once. The update fires the tables' change triggers, so every API instance drops
 * the tile set from its cache within moments.
 */
export class Migration20261122150000_SharesAndProjection extends Migration {
  override name = 'Migration20261122150000_SharesAndProjection';

  override up(): void | Promise<void> {
    this.addSql(`alter table "tile_sets" add "share_epoch" int not null default 0;`);
    this.addSql(`alter table "renditions" add "share_epoch" int not null default 0;`);
    this.addSql(
      `alter table "panoramas" add "projection" text not null default 'flat', ` +
        `add constraint "panoramas_projection_check" check ("projection" in ('flat', 'equirectangular'));`,
    );
    this.addSql(
      `alter table "tile_sets" add "layout" text not null default 'deepzoom', ` +
        `add constraint "tile_sets_layout_check" check ("layout" in ('deepzoom', 'sphere'));`,
    );
    this.addSql(`alter table "tile_sets" drop constraint "tile_sets_panorama_options_unique";`);
    this.addSql(
      `alter table "tile_sets" add constraint "tile_sets_panorama_options_unique" ` +
        `unique ("panorama_id", "tile_size", "format", "quality", "overlap", "layout");`,
    );
  }

  override down(): void | Promise<void> {
    this.addSql(`delete from "tile_sets" where "layout" <> 'deepzoom';`);
    this.addSql(`alter table "tile_sets" drop constraint "tile_sets_panorama_options_unique";`);
    this.addSql(`alter table "tile_sets" drop column "layout";`);
    this.addSql(
      `alter table "tile_sets" add constraint "tile_sets_panorama_options_unique" ` +
        `unique ("panorama_id", "tile_size", "format", "quality", "overlap");`,
    );
    this.addSql(`alter table "panoramas" drop column "projection";`);
    this.addSql(`alter table "tile_sets" drop column "share_epoch";`);
    this.addSql(`alter table "renditions" drop column "share_epoch";`);
  }
}
