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
  }

  override down(): void | Promise<void> {
    this.addSql(`alter table "panoramas" drop column "projection";`);
    this.addSql(`alter table "tile_sets" drop column "share_epoch";`);
    this.addSql(`alter table "renditions" drop column "share_epoch";`);
  }
}
