import { Migration } from '@mikro-orm/migrations';

/**
 * Webhooks (libs/webhooks): endpoints, an outbox of events, and deliveries.
 *
 * The outbox is written by triggers in the transaction that changes a panorama, a tile set
 * or a rendition, so an event exists exactly when its change committed: no crash between
 * "ready" and "tell the integrator" can lose one. Application events (an upload finished, a
 * collection completed) are inserted by the application. Each insert announces itself on
 * `tessera_webhooks`; workers then turn events into deliveries (and every minute in any case).
 * `seq` orders events; a subject's deliveries to an endpoint go out in that order.
 */
export class Migration20261207000000_Webhooks extends Migration {
  override name = 'Migration20261207000000_Webhooks';

  override up(): void | Promise<void> {
    this.addSql(
      `create table "webhook_endpoints" (` +
        `"id" uuid primary key, ` +
        `"owner_id" uuid not null references "users" ("id") on delete cascade, ` +
        `"url" text not null check (length("url") between 1 and 2048), ` +
        `"events" text[] not null check (cardinality("events") > 0), ` +
        `"description" text null check (length("description") between 1 and 200), ` +
        `"all_users" boolean not null default false, ` +
        `"enabled" boolean not null default true, ` +
        `"secret" text not null, ` +
        `"created_at" timestamptz not null, ` +
        `"updated_at" timestamptz not null);`,
    );
    this.addSql(`create index "webhook_endpoints_owner_index" on "webhook_endpoints" ("owner_id", "created_at");`);
    this.addSql(
      `create index "webhook_endpoints_all_users_index" on "webhook_endpoints" ("id") where "all_users" and "enabled";`,
    );

    this.addSql(
      `create table "webhook_events" (` +
        `"id" uuid primary key default gen_random_uuid(), ` +
        `"seq" bigserial not null unique, ` +
        `"type" text not null, ` +
        `"owner_id" uuid null, ` +
        `"subject_id" uuid not null, ` +
        `"data" jsonb not null, ` +
        `"created_at" timestamptz not null default now(), ` +
        `"dispatched_at" timestamptz null);`,
    );
    this.addSql(
      `create index "webhook_events_undispatched_index" on "webhook_events" ("seq") where "dispatched_at" is null;`,
    );

    this.addSql(
      `create table "webhook_deliveries" (` +
        `"id" uuid primary key default gen_random_uuid(), ` +
        `"endpoint_id" uuid not null references "webhook_endpoints" ("id") on delete cascade, ` +
        `"event_id" uuid not null references "webhook_events" ("id") on delete cascade, ` +
        `"event_seq" bigint not null, ` +
        `"event_type" text not null, ` +
        `"subject_id" uuid not null, ` +
        `"status" text not null check ("status" in ('pending', 'delivered', 'failed')), ` +
        `"attempts" int not null default 0, ` +
        `"last_status_code" int null, ` +
        `"last_error" text null, ` +
        `"last_duration_ms" int null, ` +
        `"next_attempt_at" timestamptz not null, ` +
        `"created_at" timestamptz not null, ` +
        `"completed_at" timestamptz null);`,
    );
    this.addSql(
      `create index "webhook_deliveries_stream_index" on "webhook_deliveries" ("endpoint_id", "subject_id", "event_seq") where "status" = 'pending';`,
    );
    this.addSql(
      `create index "webhook_deliveries_log_index" on "webhook_deliveries" ("endpoint_id", "created_at" desc, "id" desc);`,
    );

    // Every insert into the outbox wakes the dispatchers (once per statement).
    this.addSql(`create function tessera_notify_webhook_event() returns trigger language plpgsql as $$
      begin perform pg_notify('tessera_webhooks', ''); return null; end $$;`);
    this.addSql(
      `create trigger webhook_events_inserted after insert on "webhook_events" for each statement execute function tessera_notify_webhook_event();`,
    );

    // Panoramas: created, updated (title, description, projection), deleted (soft, then purged).
    this.addSql(`create function tessera_panorama_event() returns trigger language plpgsql as $$
      declare kind text;
      begin
        if tg_op = 'INSERT' then kind := 'panorama.created';
        elsif old.deleted_at is null and new.deleted_at is not null then kind := 'panorama.deleted';
        elsif new.deleted_at is null and (old.title, old.description, old.projection, old.tags)
          is distinct from (new.title, new.description, new.projection, new.tags) then kind := 'panorama.updated';
        else return null;
        end if;
        insert into webhook_events (type, owner_id, subject_id, data) values (kind, new.owner_id, new.id,
          jsonb_build_object('panoramaId', new.id, 'title', new.title, 'description', new.description,
            'projection', new.projection, 'width', new.width, 'height', new.height, 'bytes', new.bytes,
            'sha256', new.sha256, 'tags', new.tags));
        return null;
      end $$;`);
    this.addSql(
      `create trigger panoramas_webhook_event after insert or update on "panoramas" for each row execute function tessera_panorama_event();`,
    );

    // Tile sets and renditions: ready or failed (a derived image's end, whichever way it came).
    this.addSql(`create function tessera_tile_set_event() returns trigger language plpgsql as $$
      begin
        if new.status not in ('ready', 'failed') or old.status = new.status then return null; end if;
        insert into webhook_events (type, owner_id, subject_id, data) values ('tileset.' || new.status, new.owner_id,
          new.panorama_id, jsonb_build_object('tileSetId', new.id, 'panoramaId', new.panorama_id, 'status', new.status,
            'errorCode', new.error_code, 'tileSize', new.tile_size, 'format', new.format, 'overlap', new.overlap,
            'layout', new.layout, 'levels', new.levels, 'tileCount', new.tile_count, 'bytes', new.bytes));
        return null;
      end $$;`);
    this.addSql(
      `create trigger tile_sets_webhook_event after update of "status" on "tile_sets" for each row execute function tessera_tile_set_event();`,
    );
    this.addSql(`create function tessera_rendition_event() returns trigger language plpgsql as $$
      begin
        if new.status not in ('ready', 'failed') or old.status = new.status then return null; end if;
        insert into webhook_events (type, owner_id, subject_id, data) values ('rendition.' || new.status, new.owner_id,
          new.panorama_id, jsonb_build_object('renditionId', new.id, 'panoramaId', new.panorama_id, 'status', new.status,
            'errorCode', new.error_code, 'name', new.name, 'width', new.width, 'height', new.height, 'format', new.format,
            'bytes', new.bytes));
        return null;
      end $$;`);
    this.addSql(
      `create trigger renditions_webhook_event after update of "status" on "renditions" for each row execute function tessera_rendition_event();`,
    );
  }

  override down(): void | Promise<void> {
    this.addSql(`drop trigger if exists renditions_webhook_event on "renditions";`);
    this.addSql(`drop trigger if exists tile_sets_webhook_event on "tile_sets";`);
    this.addSql(`drop trigger if exists panoramas_webhook_event on "panoramas";`);
    this.addSql(`drop table if exists "webhook_deliveries";`);
    this.addSql(`drop table if exists "webhook_events";`);
    this.addSql(`drop table if exists "webhook_endpoints";`);
    this.addSql(`drop function if exists tessera_rendition_event();`);
    this.addSql(`drop function if exists tessera_tile_set_event();`);
    this.addSql(`drop function if exists tessera_panorama_event();`);
    this.addSql(`drop function if exists tessera_notify_webhook_event();`);
  }
}
