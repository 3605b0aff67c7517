import { Migration } from '@mikro-orm/migrations';

/** Originals may also be BMP, GIF or AVIF. */
export class Migration20261205230000_MoreImageFormats extends Migration {
  override name = 'Migration20261205230000_MoreImageFormats';

  override up(): void | Promise<void> {
    this.addSql(
      `alter table "panoramas" drop constraint "panoramas_format_check", ` +
        `add constraint "panoramas_format_check" ` +
        `check ("format" in ('jpeg', 'png', 'webp', 'tiff', 'bmp', 'gif', 'avif'));`,
    );
  }

  override down(): void | Promise<void> {
    this.addSql(
      `alter table "panoramas" drop constraint "panoramas_format_check", ` +
        `add constraint "panoramas_format_check" check ("format" in ('jpeg', 'png', 'webp', 'tiff'));`,
    );
  }
}
