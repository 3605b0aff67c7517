import {
  assertWithinQuota,
  type Panorama,
  type PanoramaChanges,
  type PanoramaListQuery,
  PanoramaRepository,
  type Quota,
  type StorageUsage,
  UserQuotas,
} from '#panoramas';
import {
  decodeCursor,
  type EnqueueOptions,
  type JobHandler,
  type JobMap,
  JobQueue,
  type JobName,
  type JobPolicies,
  type Page,
  type SqlTransaction,
  toPage,
  applyTransition,
} from '#shared-kernel';
import { sameTileOptions, TILE_SET_TRANSITIONS, type TileOptions, type TileSet, TileSetRepository } from '#tiles';

/** The transaction the in-memory repositories hand out: it takes no SQL (RecordingJobQueue ignores it). */
export const IN_MEMORY_TRANSACTION: SqlTransaction = {
  executeSql: () => Promise.reject(new Error('in-memory repositories run no SQL')),
};

/** In-memory PanoramaRepository with the MikroORM adapter's contract (tile sets live in `tileSets`). */
export class InMemoryPanoramaRepository extends PanoramaRepository {
  readonly rows = new Map<string, Panorama>();
  /** Set to make the next insertWithTileSet throw (a database failure at commit). */
  failNextInsert?: Error;

  constructor(readonly tileSets: InMemoryTileSetRepository) {
    super();
  }

  async findById(id: string) {
    const row = this.rows.get(id);
    return row && !row.deletedAt ? row : null;
  }

  async findByIdIncludingDeleted(id: string) {
    return this.rows.get(id) ?? null;
  }

  async findByOwnerAndSha256(ownerId: string, sha256: string) {
    return [...this.rows.values()].find((p) => p.ownerId === ownerId && p.sha256 === sha256 && !p.deletedAt) ?? null;
  }

  async insertWithTileSet(
    panorama: Panorama,
    tileSet: TileSet,
    quota: Quota,
    alsoInTransaction?: (transaction: SqlTransaction) => Promise<void>,
  ) {
    if (this.failNextInsert) {
      const error = this.failNextInsert;
      this.failNextInsert = undefined;
      throw error;
    }
    if (await this.findByOwnerAndSha256(panorama.ownerId, panorama.sha256)) return false;
    assertWithinQuota(quota, await this.usage(panorama.ownerId), { panoramas: 1, bytes: panorama.bytes });
    // Runs before the rows are kept: if it throws, nothing is (as a rollback would leave it).
    await alsoInTransaction?.(IN_MEMORY_TRANSACTION);
    this.rows.set(panorama.id, panorama);
    this.tileSets.rows.set(tileSet.id, tileSet);
    return true;
  }

  async scan(afterId: string | undefined, limit: number) {
    return [...this.rows.values()]
      .filter((p) => !p.deletedAt && (afterId === undefined || p.id > afterId))
      .sort((a, b) => (a.id < b.id ? -1 : 1))
      .slice(0, limit);
  }

  async list(query: PanoramaListQuery): Promise<Page<Panorama>> {
    const { ownerId, limit, cursor, title, tags, createdFrom, createdBefore, ids } = query;
    const after = cursor ? decodeCursor(cursor) : undefined;
    const rows = [...this.rows.values()]
      .filter(
        (p) =>
          p.ownerId === ownerId &&
          !p.deletedAt &&
          (!title || p.title.toLowerCase().includes(title.toLowerCase())) &&
          (tags ?? []).every((tag) => p.tags.includes(tag)) &&
          (!createdFrom || p.createdAt >= createdFrom) &&
          (!createdBefore || p.createdAt < createdBefore) &&
          (!ids || ids.includes(p.id)),
      )
      .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime() || (a.id < b.id ? 1 : -1))
      .filter(
        (p) =>
          !after ||
          p.createdAt < after.createdAt ||
          (p.createdAt.getTime() === after.createdAt.getTime() && p.id < after.id),
      );
    return toPage(rows.slice(0, limit + 1), limit);
  }

  async update(id: string, changes: PanoramaChanges) {
    const row = await this.findById(id);
    if (!row) return null;
    Object.assign(row, Object.fromEntries(Object.entries(changes).filter(([, v]) => v !== undefined)));
    if (changes.tags) row.tags = [...changes.tags];
    return row;
  }

  async markDeleted(id: string, at: Date) {
    const row = await this.findById(id);
    if (!row) return false;
    row.deletedAt = at;
    return true;
  }

  async purge(id: string) {
    this.rows.delete(id);
    for (const [key, t] of this.tileSets.rows) if (t.panoramaId === id) this.tileSets.rows.delete(key);
  }

  async findDeleted(limit: number) {
    // Oldest deletion first, as the database adapter orders them.
    return [...this.rows.values()]
      .filter((p) => p.deletedAt)
      .sort((a, b) => a.deletedAt!.getTime() - b.deletedAt!.getTime())
      .slice(0, limit);
  }

  /** Ready rendition bytes to count, when a test wires an in-memory rendition repository. */
  renditionBytes: (ownerId: string) => number = () => 0;

  async usage(ownerId: string) {
    const { panoramas, bytes } = (await this.storageUsage([ownerId])).get(ownerId)!;
    return { panoramas, bytes };
  }

  async storageUsage(ownerIds: string[]) {
    return new Map<string, StorageUsage>(
      ownerIds.map((ownerId) => {
        const mine = [...this.rows.values()].filter((p) => p.ownerId === ownerId);
        const originalBytes = mine.reduce((sum, p) => sum + p.bytes, 0);
        const renditionBytes = this.renditionBytes(ownerId);
        const tileBytes = [...this.tileSets.rows.values()]
          .filter((t) => t.ownerId === ownerId && t.status === 'ready')
          .reduce((sum, t) => sum + (t.bytes ?? 0), 0);
        return [
          ownerId,
          { panoramas: mine.length, bytes: originalBytes + renditionBytes, originalBytes, renditionBytes, tileBytes },
        ];
      }),
    );
  }
}

export class InMemoryTileSetRepository extends TileSetRepository {
  readonly rows = new Map<string, TileSet>();

  async findById(id: string) {
    return this.rows.get(id) ?? null;
  }

  async findByPanorama(panoramaId: string) {
    return [...this.rows.values()]
      .filter((t) => t.panoramaId === panoramaId)
      .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime());
  }

  async findByPanoramas(ids: string[]) {
    const map = new Map<string, TileSet[]>();
    for (const id of ids) map.set(id, await this.findByPanorama(id));
    return map;
  }

  async findByOptions(panoramaId: string, options: TileOptions) {
    return (
      [...this.rows.values()].find((t) => t.panoramaId === panoramaId && sameTileOptions(t.options(), options)) ?? null
    );
  }

  async insertOrGet(tileSet: TileSet) {
    const existing = await this.findByOptions(tileSet.panoramaId, tileSet.options());
    if (existing) return { tileSet: existing, created: false };
    this.rows.set(tileSet.id, tileSet);
    return { tileSet, created: true };
  }

  async sampleReady(limit: number) {
    return [...this.rows.values()].filter((t) => t.status === 'ready').slice(0, limit);
  }

  async findQueued(limit: number) {
    return [...this.rows.values()].filter((t) => t.status === 'queued').slice(0, limit);
  }

  async markProcessing(id: string, at: Date) {
    return applyTransition(this.rows.get(id), TILE_SET_TRANSITIONS, { step: 'start' }, at, { progress: 0 });
  }

  async updateProgress(id: string, progress: number, at: Date) {
    const t = this.rows.get(id);
    if (t?.status === 'processing') Object.assign(t, { progress, updatedAt: at });
  }

  async markReady(id: string, result: { levels: number; tileCount: number; bytes: number }, at: Date) {
    return applyTransition(this.rows.get(id), TILE_SET_TRANSITIONS, { step: 'finish' }, at, {
      ...result,
      progress: 1,
    });
  }

  async markFailed(id: string, errorCode: string, at: Date) {
    return applyTransition(this.rows.get(id), TILE_SET_TRANSITIONS, { step: 'fail', errorCode }, at);
  }

  async requeue(id: string, at: Date) {
    return applyTransition(this.rows.get(id), TILE_SET_TRANSITIONS, { step: 'requeue' }, at, { progress: 0 });
  }

  async condemn(id: string, errorCode: string, at: Date) {
    return applyTransition(this.rows.get(id), TILE_SET_TRANSITIONS, { step: 'condemn', errorCode }, at);
  }

  async raiseShareEpoch(id: string, at: Date) {
    const t = this.rows.get(id);
    if (!t) return false;
    Object.assign(t, { shareEpoch: t.shareEpoch + 1, updatedAt: at });
    return true;
  }

  async delete(id: string) {
    return this.rows.delete(id);
  }
}

export class FixedQuotas extends UserQuotas {
  constructor(public quota: Quota = { maxBytes: Number.MAX_SAFE_INTEGER, maxPanoramas: 1_000 }) {
    super();
  }

  async forUser() {
    return this.quota;
  }

  async forUsers(userIds: string[]) {
    return new Map(userIds.map((id) => [id, this.quota]));
  }
}

/** A JobQueue that records what was sent (and can be made to fail). */
export class RecordingJobQueue extends JobQueue {
  readonly sent: { name: JobName; payload: unknown; options?: EnqueueOptions }[] = [];
  failNext?: Error;

  async enqueue<N extends JobName>(name: N, payload: JobMap[N], options?: EnqueueOptions) {
    if (this.failNext) {
      const error = this.failNext;
      this.failNext = undefined;
      throw error;
    }
    this.sent.push({ name, payload, options });
    return `job-${this.sent.length}`;
  }

  readonly schedules = new Map<string, { cron: string; payload: unknown }>();
  readonly policies: JobPolicies = {};

  declare(policies: JobPolicies) {
    Object.assign(this.policies, policies);
  }

  async work<N extends JobName>(_name: N, _handler: JobHandler<N>) {
    /* not consumed in unit tests */
  }

  async schedule<N extends JobName>(name: N, cron: string, payload: JobMap[N]) {
    if (cron) this.schedules.set(name, { cron, payload });
    else this.schedules.delete(name);
  }
}
