import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { type RevokedShareLink, ShareLink, type ShareKind, ShareLinkRepository } from '#sharing';
import { runIn, runOn } from './raw-sql.js';

interface ShareLinkRow {
  id: string;
  kind: ShareKind;
  tile_set_id: string | null;
  rendition_id: string | null;
  collection_id: string | null;
  created_by: string;
  label: string | null;
  key_id: string;
  epoch: number;
  created_at: Date;
  expires_at: Date;
  revoked_at: Date | null;
  last_used_at: Date | null;
}

/** The resource column and table of each kind (never from input: a closed map). */
const RESOURCE = {
  tileset: { column: 'tile_set_id', table: 'tile_sets' },
  rendition: { column: 'rendition_id', table: 'renditions' },
  collection: { column: 'collection_id', table: 'collections' },
} as const satisfies Record<ShareKind, { column: string; table: string }>;

const COLUMNS =
  'id, kind, tile_set_id, rendition_id, collection_id, created_by, label, key_id, epoch, created_at, expires_at, revoked_at, last_used_at';

const toLink = (row: ShareLinkRow) =>
  new ShareLink({
    id: row.id,
    kind: row.kind,
    resourceId: (row.tile_set_id ?? row.rendition_id ?? row.collection_id)!,
    createdBy: row.created_by,
    label: row.label,
    keyId: row.key_id,
    epoch: row.epoch,
    createdAt: new Date(row.created_at),
    expiresAt: new Date(row.expires_at),
    revokedAt: row.revoked_at && new Date(row.revoked_at),
    lastUsedAt: row.last_used_at && new Date(row.last_used_at),
  });

/**
 * Share links in `share_links`, in plain SQL: one domain field (resourceId) lives in one of
 * three foreign-key columns, which an entity schema cannot map. Always the primary: a revoked
 * link must never be read back as active from a replica.
 */
@Injectable()
export class MikroOrmShareLinkRepository extends ShareLinkRepository {
  constructor(private readonly em: EntityManager) {
    super();
  }

  insertWithin(link: ShareLink, limit: number, now: Date, forgetBefore: Date): Promise<boolean> {
    const { column, table } = RESOURCE[link.kind];
    return this.em.fork().transactional(async (em) => {
      const run = runIn(em);
      // The resource's row lock orders racing requests: each counts what the others committed.
      // (A resource deleted meanwhile: the insert below fails on its foreign key.)
      await run(`select id from ${table} where id = ? for update`, [link.resourceId]);
      await run(`delete from share_links where ${column} = ? and expires_at < ?`, [link.resourceId, forgetBefore]);
      const [{ active }] = await run<{ active: number }>(
        `select count(*)::int as active from share_links where ${column} = ? and revoked_at is null and expires_at > ?`,
        [link.resourceId, now],
      );
      if (active >= limit) return false;
      await run(
        `insert into share_links (id, kind, ${column}, created_by, label, key_id, epoch, created_at, expires_at)
         values (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        [
          link.id,
          link.kind,
          link.resourceId,
          link.createdBy,
          link.label,
          link.keyId,
          link.epoch,
          link.createdAt,
          link.expiresAt,
        ],
      );
      return true;
    });
  }

  async listActive(kind: ShareKind, resourceId: string, now: Date): Promise<ShareLink[]> {
    const rows = await this.query(
      `select ${COLUMNS} from share_links where ${RESOURCE[kind].column} = ? and revoked_at is null and expires_at > ?
       order by created_at desc, id`,
      [resourceId, now],
    );
    return rows.map(toLink);
  }

  async relabel(
    kind: ShareKind,
    resourceId: string,
    id: string,
    label: string | null,
    now: Date,
  ): Promise<ShareLink | null> {
    const rows = await this.query(
      `update share_links set label = ? where id = ? and ${RESOURCE[kind].column} = ? and revoked_at is null
       and expires_at > ? returning ${COLUMNS}`,
      [label, id, resourceId, now],
    );
    return rows[0] ? toLink(rows[0]) : null;
  }

  async revoke(kind: ShareKind, resourceId: string, id: string, at: Date): Promise<Date | null> {
    const rows = await this.query(
      `update share_links set revoked_at = ? where id = ? and ${RESOURCE[kind].column} = ? and revoked_at is null
       and expires_at > ? returning ${COLUMNS}`,
      [at, id, resourceId, at],
    );
    return rows[0] ? new Date(rows[0].expires_at) : null;
  }

  async revokeAll(kind: ShareKind, resourceId: string, at: Date): Promise<RevokedShareLink[]> {
    const rows = await this.query(
      `update share_links set revoked_at = ? where ${RESOURCE[kind].column} = ? and revoked_at is null
       and expires_at > ? returning ${COLUMNS}`,
      [at, resourceId, at],
    );
    return rows.map((row) => ({ id: row.id, expiresAt: new Date(row.expires_at) }));
  }

  async revokedUnexpired(now: Date): Promise<RevokedShareLink[]> {
    const rows = await this.query(
      `select ${COLUMNS} from share_links where revoked_at is not null and expires_at > ?`,
      [now],
    );
    return rows.map((row) => ({ id: row.id, expiresAt: new Date(row.expires_at) }));
  }

  async recordUse(uses: ReadonlyMap<string, Date>): Promise<void> {
    if (uses.size === 0) return;
    await this.query(
      `update share_links s set last_used_at = greatest(s.last_used_at, u.at)
       from jsonb_to_recordset(?::jsonb) as u(id uuid, at timestamptz) where s.id = u.id returning s.id`,
      // As one JSON value: the ORM would spread an array parameter into a list.
      [JSON.stringify([...uses].map(([id, at]) => ({ id, at })))],
    );
  }

  private query(sql: string, params: unknown[]): Promise<ShareLinkRow[]> {
    return runOn(this.em)<ShareLinkRow>(sql, params);
  }
}
