import { randomUUID } from 'node:crypto';
import { Panorama, type PanoramaRepository, QuotaExceededError } from '#panoramas';
import { DEFAULT_TILE_OPTIONS, type TileOptions, TileSet, type TileSetRepository } from '#tiles';

export interface PanoramaRepositories {
  panoramas: PanoramaRepository;
  tileSets: TileSetRepository;
  /** Two existing owners (real users where the store has foreign keys), with nothing stored yet. */
  owners: [string, string];
  dispose(): Promise<void>;
}

const ROOMY = { maxBytes: 10 ** 12, maxPanoramas: 1_000 };

/**
 * What the panoramas and tiles use cases rely on from PanoramaRepository and
 * TileSetRepository (the two commit together), run on the in-memory fakes the unit specs
 * use and on MikroORM on PostgreSQL.
 */
export function panoramaRepositoryContract(name: string, create: () => Promise<PanoramaRepositories>) {
  describe(`PanoramaRepository and TileSetRepository contract: ${name}`, () => {
    let r: PanoramaRepositories;
    beforeEach(async () => {
      r = await create();
    });
    afterEach(() => r.dispose());

    const base = new Date('2026-12-06T12:00:00.000Z');
    let made = 0;
    const panorama = (
      ownerId: string,
      fields: Partial<{ title: string; bytes: number; sha256: string; tags: string[] }> = {},
    ) => {
      const id = randomUUID();
      const at = new Date(base.getTime() + ++made * 1000); // distinct: newest first is well defined
      return new Panorama({
        id,
        ownerId,
        title: fields.title ?? `Panorama ${made}`,
        description: null,
        originalFilename: 'pano.jpg',
        format: 'jpeg',
        bytes: fields.bytes ?? 1_000,
        width: 4000,
        height: 2000,
        projection: 'flat',
        sha256: fields.sha256 ?? randomUUID().replaceAll('-', '').padEnd(64, '0'),
        originalKey: `originals/${ownerId}/${id}/original.jpg`,
        createdAt: at,
        updatedAt: at,
        deletedAt: null,
        tags: fields.tags,
      });
    };
    const tileSetOf = (p: Panorama, options: Partial<TileOptions> = {}) =>
      TileSet.queue({
        id: randomUUID(),
        panoramaId: p.id,
        ownerId: p.ownerId,
        sourceKey: p.originalKey,
        sourceWidth: p.width,
        sourceHeight: p.height,
        options: { ...DEFAULT_TILE_OPTIONS, ...options },
        now: new Date(p.createdAt.getTime() + made++),
      });
    const stored = async (ownerId: string, fields: Parameters<typeof panorama>[1] = {}) => {
      const p = panorama(ownerId, fields);
      const t = tileSetOf(p);
      expect(await r.panoramas.insertWithTileSet(p, t, ROOMY)).toBe(true);
      return { panorama: p, tileSet: t };
    };

    it('commits a panorama with its first tile set, and finds them', async () => {
      const { panorama: p, tileSet: t } = await stored(r.owners[0]);
      expect((await r.panoramas.findById(p.id))?.title).toBe(p.title);
      expect((await r.panoramas.findByOwnerAndSha256(p.ownerId, p.sha256))?.id).toBe(p.id);
      expect(await r.panoramas.findByOwnerAndSha256(r.owners[1], p.sha256)).toBeNull();
      expect((await r.tileSets.findByPanorama(p.id)).map((x) => [x.id, x.status])).toEqual([[t.id, 'queued']]);
      expect((await r.tileSets.findByOptions(p.id, t.options()))?.id).toBe(t.id);
    });

    it("answers false for the same owner's same bytes, and stores another owner's", async () => {
      const { panorama: first } = await stored(r.owners[0]);
      const again = panorama(r.owners[0], { sha256: first.sha256 });
      expect(await r.panoramas.insertWithTileSet(again, tileSetOf(again), ROOMY)).toBe(false);
      expect(await r.panoramas.findById(again.id)).toBeNull();
      expect(await r.tileSets.findByPanorama(again.id)).toEqual([]);
      const theirs = panorama(r.owners[1], { sha256: first.sha256 });
      expect(await r.panoramas.insertWithTileSet(theirs, tileSetOf(theirs), ROOMY)).toBe(true);
    });

    it('refuses past the quota, counting what is stored, and keeps nothing of the refused one', async () => {
      await stored(r.owners[0], { bytes: 600 });
      const over = panorama(r.owners[0], { bytes: 500 });
      await expect(
        r.panoramas.insertWithTileSet(over, tileSetOf(over), { maxBytes: 1_000, maxPanoramas: 10 }),
      ).rejects.toBeInstanceOf(QuotaExceededError);
      await expect(
        r.panoramas.insertWithTileSet(over, tileSetOf(over), { maxBytes: 10_000, maxPanoramas: 1 }),
      ).rejects.toBeInstanceOf(QuotaExceededError);
      expect(await r.panoramas.findById(over.id)).toBeNull();
      expect(await r.panoramas.usage(r.owners[0])).toMatchObject({ panoramas: 1, bytes: 600 });
    });

    it('runs alsoInTransaction inside the commit: if it throws, neither row is kept', async () => {
      const p = panorama(r.owners[0]);
      const t = tileSetOf(p);
      let ran = false;
      await expect(
        r.panoramas.insertWithTileSet(p, t, ROOMY, async (transaction) => {
          ran = transaction !== undefined;
          throw new Error('the job could not be sent');
        }),
      ).rejects.toThrow('the job could not be sent');
      expect(ran).toBe(true);
      expect(await r.panoramas.findById(p.id)).toBeNull();
      expect(await r.tileSets.findById(t.id)).toBeNull();
      expect(await r.panoramas.usage(r.owners[0])).toMatchObject({ panoramas: 0, bytes: 0 });
    });

    it("lists an owner's live panoramas newest first, page by page, by a title substring taken literally", async () => {
      const a = (await stored(r.owners[0], { title: 'Alps at dawn' })).panorama;
      const b = (await stored(r.owners[0], { title: '100% ALPS_1' })).panorama;
      const c = (await stored(r.owners[0], { title: 'Sea' })).panorama;
      await stored(r.owners[1], { title: 'Alps of someone else' });
      const gone = (await stored(r.owners[0], { title: 'Alps, deleted' })).panorama;
      await r.panoramas.markDeleted(gone.id, new Date(base.getTime() + 999_000));

      const first = await r.panoramas.list({ ownerId: r.owners[0], limit: 2 });
      expect(first.items.map((p) => p.id)).toEqual([c.id, b.id]);
      expect(first.nextCursor).toEqual(expect.any(String));
      const second = await r.panoramas.list({ ownerId: r.owners[0], limit: 2, cursor: first.nextCursor! });
      expect(second.items.map((p) => p.id)).toEqual([a.id]);
      expect(second.nextCursor).toBeNull();

      const titled = (title: string) =>
        r.panoramas.list({ ownerId: r.owners[0], limit: 10, title }).then((page) => page.items.map((p) => p.id));
      expect(await titled('alps')).toEqual([b.id, a.id]);
      expect(await titled('0% alps_')).toEqual([b.id]);
      expect(await titled('%')).toEqual([b.id]);
      expect(await titled('_')).toEqual([b.id]);
    });

    it('lists by tags (all of them), by upload time and by ids, and replaces tags on update', async () => {
      const a = (await stored(r.owners[0], { tags: ['alps', 'winter'] })).panorama;
      const b = (await stored(r.owners[0], { tags: ['alps', 'Été 2026'] })).panorama;
      const c = (await stored(r.owners[0])).panorama;
      const ids = (query: Partial<Parameters<typeof r.panoramas.list>[0]>) =>
        r.panoramas.list({ ownerId: r.owners[0], limit: 10, ...query }).then((page) => page.items.map((p) => p.id));
      expect(await ids({ tags: ['alps'] })).toEqual([b.id, a.id]);
      expect(await ids({ tags: ['alps', 'winter'] })).toEqual([a.id]);
      expect(await ids({ tags: ['Été 2026'] })).toEqual([b.id]);
      expect(await ids({ tags: ['ALPS'] })).toEqual([]);
      expect(await ids({ createdFrom: b.createdAt })).toEqual([c.id, b.id]);
      expect(await ids({ createdBefore: b.createdAt })).toEqual([a.id]);
      expect(await ids({ createdFrom: a.createdAt, createdBefore: c.createdAt })).toEqual([b.id, a.id]);
      expect(await ids({ ids: [a.id, c.id] })).toEqual([c.id, a.id]);
      expect(await ids({ ids: [] })).toEqual([]);
      expect((await r.panoramas.findById(a.id))?.tags).toEqual(['alps', 'winter']);
      expect((await r.panoramas.findById(c.id))?.tags).toEqual([]);
      await r.panoramas.update(a.id, { tags: ['summer'], updatedAt: new Date() });
      expect((await r.panoramas.findById(a.id))?.tags).toEqual(['summer']);
    });

    it('updates what it is given and leaves the rest; nothing for a deleted or unknown id', async () => {
      const { panorama: p } = await stored(r.owners[0]);
      const at = new Date(base.getTime() + 500_000);
      const updated = await r.panoramas.update(p.id, { title: 'Renamed', updatedAt: at });
      expect(updated).toMatchObject({ title: 'Renamed', description: null, projection: 'flat', updatedAt: at });
      expect((await r.panoramas.findById(p.id))?.title).toBe('Renamed');
      expect(await r.panoramas.update(randomUUID(), { title: 'x', updatedAt: at })).toBeNull();
      await r.panoramas.markDeleted(p.id, at);
      expect(await r.panoramas.update(p.id, { title: 'x', updatedAt: at })).toBeNull();
    });

    it('hides a deleted panorama, counts it until purged, and purges it with its tile sets', async () => {
      const { panorama: p, tileSet: t } = await stored(r.owners[0], { bytes: 700 });
      const later = (await stored(r.owners[0], { bytes: 300 })).panorama;
      const at = (s: number) => new Date(base.getTime() + s * 1000);
      expect(await r.panoramas.markDeleted(later.id, at(600))).toBe(true);
      expect(await r.panoramas.markDeleted(p.id, at(700))).toBe(true);
      expect(await r.panoramas.markDeleted(p.id, at(800))).toBe(false);
      expect(await r.panoramas.findById(p.id)).toBeNull();
      expect(await r.panoramas.findByOwnerAndSha256(p.ownerId, p.sha256)).toBeNull();
      expect((await r.panoramas.findByIdIncludingDeleted(p.id))?.deletedAt).toEqual(at(700));
      // Oldest deletion first.
      expect((await r.panoramas.findDeleted(10)).map((x) => x.id)).toEqual([later.id, p.id]);
      // Its bytes still count until the purge frees them.
      expect(await r.panoramas.usage(r.owners[0])).toMatchObject({ panoramas: 2, bytes: 1_000 });

      await r.panoramas.purge(p.id);
      expect(await r.panoramas.findByIdIncludingDeleted(p.id)).toBeNull();
      expect(await r.tileSets.findById(t.id)).toBeNull();
      expect(await r.panoramas.usage(r.owners[0])).toMatchObject({ panoramas: 1, bytes: 300 });
      expect((await r.panoramas.storageUsage([r.owners[0], r.owners[1]])).get(r.owners[1])).toEqual({
        panoramas: 0,
        bytes: 0,
        originalBytes: 0,
        renditionBytes: 0,
        tileBytes: 0,
      });
    });

    it('keeps one tile set per panorama and options, oldest first', async () => {
      const { panorama: p, tileSet: first } = await stored(r.owners[0]);
      const same = tileSetOf(p);
      expect(await r.tileSets.insertOrGet(same)).toMatchObject({ created: false, tileSet: { id: first.id } });
      const other = tileSetOf(p, { tileSize: 512 });
      expect(await r.tileSets.insertOrGet(other)).toMatchObject({ created: true, tileSet: { id: other.id } });
      expect((await r.tileSets.findByPanorama(p.id)).map((t) => t.id)).toEqual([first.id, other.id]);
      const byPanorama = await r.tileSets.findByPanoramas([p.id, randomUUID()]);
      expect(byPanorama.get(p.id)?.map((t) => t.id)).toEqual([first.id, other.id]);
      expect((await r.tileSets.findQueued(10)).map((t) => t.id).sort()).toEqual([first.id, other.id].sort());
    });

    it('applies each status change only from the statuses it lists, with its field changes', async () => {
      const { tileSet: t } = await stored(r.owners[0]);
      const at = (s: number) => new Date(base.getTime() + s * 1000);
      const row = async () => (await r.tileSets.findById(t.id))!;

      expect(await r.tileSets.markReady(t.id, { levels: 3, tileCount: 9, bytes: 90 }, at(1))).toBe(false);
      expect(await r.tileSets.markProcessing(t.id, at(2))).toBe(true);
      await r.tileSets.updateProgress(t.id, 0.5, at(3));
      expect(await row()).toMatchObject({ status: 'processing', progress: 0.5, startedAt: at(2) });
      expect(await r.tileSets.markReady(t.id, { levels: 3, tileCount: 9, bytes: 90 }, at(4))).toBe(true);
      expect(await row()).toMatchObject({ status: 'ready', progress: 1, levels: 3, tileCount: 9, bytes: 90 });
      expect((await row()).completedAt).toEqual(at(4));
      // Ready tiles count against the owner as tile bytes.
      expect((await r.panoramas.storageUsage([r.owners[0]])).get(r.owners[0])?.tileBytes).toBe(90);
      expect((await r.tileSets.sampleReady(5)).map((x) => x.id)).toEqual([t.id]);
      await r.tileSets.updateProgress(t.id, 0.1, at(5)); // not processing: ignored
      expect((await row()).progress).toBe(1);

      expect(await r.tileSets.markFailed(t.id, 'TOO_LATE', at(6))).toBe(false);
      expect(await r.tileSets.condemn(t.id, 'TILE_DAMAGED', at(7))).toBe(true);
      expect(await row()).toMatchObject({ status: 'failed', errorCode: 'TILE_DAMAGED' });
      expect(await r.tileSets.requeue(t.id, at(8))).toBe(true);
      expect(await row()).toMatchObject({ status: 'queued', progress: 0, errorCode: null, startedAt: null });
      expect(await r.tileSets.markFailed(t.id, 'INVALID_IMAGE', at(9))).toBe(true);
      expect(await row()).toMatchObject({ status: 'failed', errorCode: 'INVALID_IMAGE' });
      expect(await r.tileSets.markReady(t.id, { levels: 3, tileCount: 9, bytes: 90 }, at(10))).toBe(false);
      // A retried job starts a failed tile set again from zero.
      expect(await r.tileSets.markProcessing(t.id, at(11))).toBe(true);
      expect(await row()).toMatchObject({ status: 'processing', progress: 0, errorCode: null, startedAt: at(11) });
    });

    it('raises the share epoch and deletes, answering false for what is not there', async () => {
      const { tileSet: t } = await stored(r.owners[0]);
      const at = new Date(base.getTime() + 1_000_000);
      expect(await r.tileSets.raiseShareEpoch(t.id, at)).toBe(true);
      expect(await r.tileSets.raiseShareEpoch(t.id, at)).toBe(true);
      expect((await r.tileSets.findById(t.id))?.shareEpoch).toBe(2);
      expect(await r.tileSets.raiseShareEpoch(randomUUID(), at)).toBe(false);
      expect(await r.tileSets.delete(t.id)).toBe(true);
      expect(await r.tileSets.delete(t.id)).toBe(false);
      expect(await r.tileSets.findById(t.id)).toBeNull();
    });
  });
}
