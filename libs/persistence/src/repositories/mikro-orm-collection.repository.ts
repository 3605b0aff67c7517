import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import {
  Collection,
  type CollectionChanges,
  CollectionRepository,
  type CollectionStatus,
  collectionStatus,
  type MemberKind,
} from '#collections';
import { type Page, type PageRequest, toPage } from '#shared-kernel';
import { idList, insertWithinOwnerLimit, keysetAfter, runIn, runOn } from './raw-sql.js';

interface CollectionRow {
  id: string;
  owner_id: string;
  name: string;
  description: string | null;
  created_at: Date;
  updated_at: Date;
}

const COLUMNS = 'id, owner_id, name, description, created_at, updated_at';
/** The table of each kind of member (never from input: a closed map). */
const MEMBER_TABLE = { tileset: 'tile_sets', rendition: 'renditions' } as const satisfies Record<MemberKind, string>;
const IN_IDS = 'in (select jsonb_array_elements_text(?::jsonb)::uuid)';

const toCollection = (row: CollectionRow) =>
  new Collection({
    id: row.id,
    ownerId: row.owner_id,
    name: row.name,
    description: row.description,
    createdAt: new Date(row.created_at),
    updatedAt: new Date(row.updated_at),
  });

/** The live members of collection $1, and their derived images by status and progress. */
const STATUS_SQL = `
  with members as (
    select p.id from collection_panoramas cp join panoramas p on p.id = cp.panorama_id
     where cp.collection_id = ? and p.deleted_at is null
  ), derived as (
    select 'tileSets' as kind, status, case when status in ('ready', 'failed') then 1 when status = 'processing' then progress else 0 end as done
      from tile_sets where panorama_id in (select id from members)
    union all
    select 'renditions', status, case when status in ('ready', 'failed') then 1 when status = 'processing' then 0.5 else 0 end
      from renditions where panorama_id in (select id from members)
  )
  select c.changed_at, c.completed_at,
    (select count(*)::int from members) as panoramas,
    (select jsonb_object_agg(status, n) from (select status, count(*)::int as n from derived where kind = 'tileSets' group by status) t) as tile_sets,
    (select jsonb_object_agg(status, n) from (select status, count(*)::int as n from derived where kind = 'renditions' group by status) r) as renditions,
    (select coalesce(avg(done), 0)::float8 from derived) as progress
  from collections c where c.id = ?`;

/** Collections and their membership, in plain SQL (status is one aggregate query). Always the primary. */
@Injectable()
export class MikroOrmCollectionRepository extends CollectionRepository {
  constructor(private readonly em: EntityManager) {
    super();
  }

  insertWithin(collection: Collection, limit: number): Promise<boolean> {
    const p = collection.props;
    return insertWithinOwnerLimit(this.em, 'collections', p.ownerId, limit, (run) =>
      run(`insert into collections (${COLUMNS}, changed_at) values (?, ?, ?, ?, ?, ?, ?)`, [
        p.id,
        p.ownerId,
        p.name,
        p.description,
        p.createdAt,
        p.updatedAt,
        p.createdAt,
      ]),
    );
  }

  async list(ownerId: string, page: PageRequest): Promise<Page<Collection>> {
    const after = keysetAfter(page.cursor);
    const rows = await this.query<CollectionRow>(
      `select ${COLUMNS} from collections where owner_id = ? and ${after.sql}
       order by created_at desc, id desc limit ?`,
      [ownerId, ...after.params, page.limit + 1],
    );
    return toPage(rows.map(toCollection), page.limit, (c) => c.props);
  }

  async findById(id: string): Promise<Collection | null> {
    const [row] = await this.query<CollectionRow>(`select ${COLUMNS} from collections where id = ?`, [id]);
    return row ? toCollection(row) : null;
  }

  async update(id: string, changes: CollectionChanges, at: Date): Promise<Collection | null> {
    const [row] = await this.query<CollectionRow>(
      `update collections set name = coalesce(?, name),
         description = case when ? then ? else description end, updated_at = ?
       where id = ? returning ${COLUMNS}`,
      [changes.name ?? null, changes.description !== undefined, changes.description ?? null, at, id],
    );
    return row ? toCollection(row) : null;
  }

  async delete(id: string): Promise<boolean> {
    return (await this.query(`delete from collections where id = ? returning id`, [id])).length > 0;
  }

  add(
    collectionId: string,
    ownerId: string,
    panoramaIds: readonly string[],
    limit: number,
    at: Date,
  ): Promise<{ missing: string[] } | 'full'> {
    return this.em.fork().transactional(async (em) => {
      const run = runIn(em);
      await run(`select id from collections where id = ? for update`, [collectionId]);
      const live = await run<{ id: string }>(
        `select id from panoramas where id ${IN_IDS} and owner_id = ? and deleted_at is null`,
        [idList(panoramaIds), ownerId],
      );
      const found = new Set(live.map((r) => r.id));
      const missing = panoramaIds.filter((id) => !found.has(id));
      if (missing.length > 0) return { missing };
      const [{ held }] = await run<{ held: number }>(
        `select count(*)::int as held from collection_panoramas where collection_id = ? and panorama_id not ${IN_IDS}`,
        [collectionId, idList(panoramaIds)],
      );
      if (held + panoramaIds.length > limit) return 'full';
      await run(
        `insert into collection_panoramas (collection_id, panorama_id, added_at)
         select ?, p::uuid, ? from jsonb_array_elements_text(?::jsonb) as p on conflict do nothing`,
        [collectionId, at, idList(panoramaIds)],
      );
      return { missing: [] };
    });
  }

  async remove(collectionId: string, panoramaIds: readonly string[]): Promise<number> {
    return (
      await this.query(
        `delete from collection_panoramas where collection_id = ? and panorama_id ${IN_IDS} returning panorama_id`,
        [collectionId, idList(panoramaIds)],
      )
    ).length;
  }

  async panoramaIds(collectionId: string): Promise<string[]> {
    const rows = await this.query<{ id: string }>(
      `select p.id from collection_panoramas cp join panoramas p on p.id = cp.panorama_id
        where cp.collection_id = ? and p.deleted_at is null order by cp.added_at, p.id`,
      [collectionId],
    );
    return rows.map((r) => r.id);
  }

  async holds(collectionId: string, kind: MemberKind, id: string): Promise<boolean> {
    const rows = await this.query<{ held: number }>(
      `select 1 as held from ${MEMBER_TABLE[kind]} d
         join collection_panoramas cp on cp.panorama_id = d.panorama_id and cp.collection_id = ?
         join panoramas p on p.id = d.panorama_id and p.deleted_at is null
        where d.id = ?`,
      [collectionId, id],
    );
    return rows.length > 0;
  }

  async status(collectionId: string): Promise<CollectionStatus | null> {
    const [row] = await this.query<{
      changed_at: Date;
      completed_at: Date | null;
      panoramas: number;
      tile_sets: Record<string, number> | null;
      renditions: Record<string, number> | null;
      progress: number;
    }>(STATUS_SQL, [collectionId, collectionId]);
    if (!row) return null;
    return collectionStatus({
      collectionId,
      panoramas: row.panoramas,
      tileSets: row.tile_sets ?? {},
      renditions: row.renditions ?? {},
      progress: row.progress,
      completedAt: row.completed_at && new Date(row.completed_at),
      changedAt: new Date(row.changed_at),
    });
  }

  async unsettled(limit: number): Promise<string[]> {
    const rows = await this.query<{ id: string }>(
      // The most recently changed first; one unchanged for a day is not looked at again until
      // something in it changes (which sets changed_at): bounded work per run.
      `select id from collections where (completed_at is null or completed_at < changed_at)
         and changed_at > now() - interval '1 day' order by changed_at desc limit ?`,
      [limit],
    );
    return rows.map((r) => r.id);
  }

  async markCompleted(status: CollectionStatus, at: Date): Promise<boolean> {
    const rows = await this.query(
      // Milliseconds: the database keeps microseconds, a Date read back does not.
      `update collections set completed_at = ? where id = ? and date_trunc('milliseconds', changed_at) = ?
         and (completed_at is null or completed_at < changed_at) returning id`,
      [at, status.collectionId, status.changedAt],
    );
    return rows.length > 0;
  }

  async unmarkCompleted(collectionId: string, previous: Date | null): Promise<void> {
    await this.query(`update collections set completed_at = ? where id = ? returning id`, [previous, collectionId]);
  }

  private query<Row = Record<string, unknown>>(sql: string, params: unknown[]): Promise<Row[]> {
    return runOn(this.em)<Row>(sql, params);
  }
}
