import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';

export interface CounterAdd {
  key: string;
  /** Hits to add. */
  hits: number;
  /** Length of the window a new count starts. */
  windowMs: number;
}

export interface CounterState {
  /** Hits in the current window, this addition included. */
  hits: number;
  /** When the current window ends (ms since the epoch, the database's clock). */
  windowEndsAt: number;
}

/**
 * Fixed-window hit counters in PostgreSQL, shared by every API instance (table
 * rate_limit_hits). One statement adds to any number of keys and returns their totals; a
 * window that has ended starts again from the hits being added.
 */
@Injectable()
export class PgRateLimitCounters {
  constructor(private readonly em: EntityManager) {}

  async add(additions: CounterAdd[]): Promise<Map<string, CounterState>> {
    if (additions.length === 0) return new Map();
    const rows = await this.em
      .fork()
      .getConnection()
      .execute<{ key: string; hits: number; ends: string }[]>(
        `insert into rate_limit_hits (key, hits, window_ends_at)
         select k, h, now() + make_interval(secs => w / 1000.0)
           from json_to_recordset(?::json) as a(k text, h int, w bigint)
       on conflict (key) do update set
         hits = case when rate_limit_hits.window_ends_at <= now() then excluded.hits
                     else rate_limit_hits.hits + excluded.hits end,
         window_ends_at = case when rate_limit_hits.window_ends_at <= now() then excluded.window_ends_at
                               else rate_limit_hits.window_ends_at end
       returning key, hits, (extract(epoch from window_ends_at) * 1000)::bigint::text as ends`,
        [JSON.stringify(additions.map((a) => ({ k: a.key, h: a.hits, w: Math.round(a.windowMs) })))],
      );
    return new Map(rows.map((row) => [row.key, { hits: Number(row.hits), windowEndsAt: Number(row.ends) }]));
  }

  /** Removes counters whose window ended (any instance may run it). */
  async sweep(): Promise<number> {
    return this.em
      .fork()
      .getConnection()
      .execute<{ affectedRows?: number }>('delete from rate_limit_hits where window_ends_at < now()', [], 'run')
      .then((result) => result.affectedRows ?? 0);
  }
}
