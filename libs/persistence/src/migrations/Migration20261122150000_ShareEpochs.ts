import { Migration } from '@mikro-orm/migrations';

/**
 * Share links (capability URLs) carry their resource's share epoch; raising it revokes every
 * link at once. The update fires the tables' change triggers, so every API instance drops
 * the tile set from its cache within moments.
 */
export class Migration20261122150000_ShareEpochs extends Migration {
  override name = 'Migration20261122150000_ShareEpochs';

  override up(): void | Promise<void> {
    this.addSql(`alter table "tile_sets" add "share_epoch" int not null default 0;`);
    this.addSql(`alter table "renditions" add "share_epoch" int not null default 0;`);
  }

  override down(): void | Promise<void> {
    this.addSql(`alter table "tile_sets" drop column "share_epoch";`);
    this.addSql(`alter table "renditions" drop column "share_epoch";`);
  }
}
