import { Migration } from '@mikro-orm/migrations';

/**
 * Direct uploads (presigned multipart uploads straight to S3): what any API instance needs
 * to sign parts, complete and clean up one. Gone with their owner; a panorama they made is
 * remembered for a repeated complete until the upload expires.
 */
export class Migration20261207200000_DirectUploads extends Migration {
  override name = 'Migration20261207200000_DirectUploads';

  override up(): void | Promise<void> {
    this.addSql(
      `create table "direct_uploads" (
        "id" uuid not null primary key,
        "owner_id" uuid not null references "users" ("id") on delete cascade,
        "object_key" text not null,
        "storage_upload_id" text not null,
        "filename" text not null,
        "bytes" bigint not null check ("bytes" > 0),
        "part_bytes" integer not null check ("part_bytes" > 0),
        "fields" jsonb not null,
        "state" text not null check ("state" in ('open', 'assembled', 'completed')),
        "panorama_id" uuid null references "panoramas" ("id") on delete set null,
        "created_at" timestamptz not null,
        "expires_at" timestamptz not null
      );`,
    );
    this.addSql(`create index "direct_uploads_owner_index" on "direct_uploads" ("owner_id", "created_at");`);
    this.addSql(`create index "direct_uploads_expiry_index" on "direct_uploads" ("expires_at");`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists "direct_uploads";`);
  }
}
