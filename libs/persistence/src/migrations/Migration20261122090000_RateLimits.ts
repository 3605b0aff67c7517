import { Migration } from '@mikro-orm/migrations';

/**
 * Rate-limit counters shared by every API instance: one row per key and window. UNLOGGED
 * (no WAL: cheap writes; emptied after a crash, which only forgives some requests).
 */
export class Migration20261122090000_RateLimits extends Migration {
  override name = 'Migration20261122090000_RateLimits';

  override up(): void | Promise<void> {
    this.addSql(
      `create unlogged table "rate_limit_hits" ("key" text not null, "hits" int not null, "window_ends_at" timestamptz not null, primary key ("key"));`,
    );
    this.addSql(`create index "rate_limit_hits_window_ends_at_index" on "rate_limit_hits" ("window_ends_at");`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists "rate_limit_hits";`);
  }
}
