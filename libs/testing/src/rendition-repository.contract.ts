import { randomUUID } from 'node:crypto';
import { Panorama, type PanoramaRepository, QuotaExceededError } from '#panoramas';
import { DEFAULT_TILE_OPTIONS, TileSet } from '#tiles';
import {
  normaliseSpec,
  Rendition,
  RenditionLimitReachedError,
  type RenditionRepository,
  type RenditionRequest,
  specKey,
} from '#renditions';

export interface RenditionRepositories {
  renditions: RenditionRepository;
  panoramas: PanoramaRepository;
  /** Two stored panoramas of one owner (real rows where the store has foreign keys), 1,000 bytes each. */
  sources: [Panorama, Panorama];
  dispose(): Promise<void>;
}

const ROOMY = { maxBytes: 10 ** 12, maxPanoramas: 1_000 };

/** Two panoramas of `ownerId`, 1,000 bytes each, committed through `panoramas` (for the factories). */
export async function twoStoredPanoramas(
  panoramas: PanoramaRepository,
  ownerId: string,
): Promise<[Panorama, Panorama]> {
  const stored: Panorama[] = [];
  for (const n of [1, 2]) {
    const id = randomUUID();
    const now = new Date(`2026-12-06T11:00:0${n}.000Z`);
    const panorama = new Panorama({
      id,
      ownerId,
      title: `Source ${n}`,
      description: null,
      originalFilename: 'source.jpg',
      format: 'jpeg',
      bytes: 1_000,
      width: 4000,
      height: 2000,
      projection: 'flat',
      sha256: randomUUID().replaceAll('-', '').padEnd(64, '0'),
      originalKey: `originals/${ownerId}/${id}/original.jpg`,
      createdAt: now,
      updatedAt: now,
      deletedAt: null,
    });
    const tileSet = TileSet.queue({
      id: randomUUID(),
      panoramaId: id,
      ownerId,
      sourceKey: panorama.originalKey,
      sourceWidth: panorama.width,
      sourceHeight: panorama.height,
      options: DEFAULT_TILE_OPTIONS,
      now,
    });
    await panoramas.insertWithTileSet(panorama, tileSet, ROOMY);
    stored.push(panorama);
  }
  return [stored[0], stored[1]];
}

/**
 * What the renditions use cases rely on from RenditionRepository, run on the in-memory fake
 * the unit specs use and on MikroORM on PostgreSQL.
 */
export function renditionRepositoryContract(name: string, create: () => Promise<RenditionRepositories>) {
  describe(`RenditionRepository contract: ${name}`, () => {
    let r: RenditionRepositories;
    beforeEach(async () => {
      r = await create();
    });
    afterEach(() => r.dispose());

    const base = new Date('2026-12-06T12:00:00.000Z');
    const at = (s: number) => new Date(base.getTime() + s * 1000);
    let made = 0;
    const rendition = (panorama: Panorama, request: RenditionRequest, name: string | null = null) => {
      const spec = normaliseSpec(request, panorama);
      const id = randomUUID();
      return new Rendition({
        id,
        panoramaId: panorama.id,
        ownerId: panorama.ownerId,
        name,
        ...spec,
        specKey: specKey(spec),
        key: `${panorama.originalPrefix()}renditions/${id}.jpg`,
        status: 'queued',
        bytes: null,
        sha256: null,
        errorCode: null,
        shareEpoch: 0,
        createdAt: at(++made), // distinct: oldest first is well defined
        updatedAt: at(made),
        startedAt: null,
        completedAt: null,
      });
    };
    const jpeg = (width: number): RenditionRequest => ({ width, format: 'jpeg' });

    it('keeps one rendition per panorama and spec, oldest first, within the limit', async () => {
      const [p, q] = r.sources;
      const small = rendition(p, jpeg(200), 'thumb');
      expect(await r.renditions.insertOrGet(small, 2)).toMatchObject({ created: true, rendition: { id: small.id } });
      expect(await r.renditions.insertOrGet(rendition(p, jpeg(200)), 2)).toMatchObject({
        created: false,
        rendition: { id: small.id, name: 'thumb' },
      });
      const large = rendition(p, jpeg(400));
      expect((await r.renditions.insertOrGet(large, 2)).created).toBe(true);
      // The limit counts this panorama's renditions only; an existing spec is still found.
      await expect(r.renditions.insertOrGet(rendition(p, jpeg(600)), 2)).rejects.toBeInstanceOf(
        RenditionLimitReachedError,
      );
      expect((await r.renditions.insertOrGet(rendition(p, jpeg(400)), 2)).created).toBe(false);
      const other = rendition(q, jpeg(600));
      expect((await r.renditions.insertOrGet(other, 2)).created).toBe(true);

      expect((await r.renditions.findByPanorama(p.id)).map((x) => x.id)).toEqual([small.id, large.id]);
      const byPanorama = await r.renditions.findByPanoramas([p.id, q.id, randomUUID()]);
      expect(byPanorama.get(p.id)?.map((x) => x.id)).toEqual([small.id, large.id]);
      expect(byPanorama.get(q.id)?.map((x) => x.id)).toEqual([other.id]);
      expect((await r.renditions.findQueued(10)).map((x) => x.id).sort()).toEqual(
        [small.id, large.id, other.id].sort(),
      );
    });

    it("applies each status change only from the statuses it lists, counting ready bytes in the owner's usage", async () => {
      const [p] = r.sources;
      const x = rendition(p, jpeg(200));
      await r.renditions.insertOrGet(x, 10);
      const row = async () => (await r.renditions.findById(x.id))!;
      const file = { bytes: 500, sha256: 'c'.repeat(64) };

      expect(await r.renditions.markReady(x.id, file, ROOMY, at(100))).toBe(false);
      expect(await r.renditions.markProcessing(x.id, at(101))).toBe(true);
      expect(await r.renditions.markProcessing(x.id, at(102))).toBe(true); // redelivered after a worker died
      expect(await r.renditions.markReady(x.id, file, ROOMY, at(103))).toBe(true);
      expect(await row()).toMatchObject({ status: 'ready', bytes: 500, sha256: 'c'.repeat(64), errorCode: null });
      expect((await row()).completedAt).toEqual(at(103));
      expect(await r.panoramas.usage(p.ownerId)).toMatchObject({ panoramas: 2, bytes: 2_500 });
      expect((await r.renditions.scanReady(undefined, 10)).map((y) => y.id)).toEqual([x.id]);

      expect(await r.renditions.markFailed(x.id, 'LATE', at(104))).toBe(false);
      expect(await r.renditions.requeue(x.id, at(105))).toBe(false);
      expect(await r.renditions.condemn(x.id, 'FILE_DAMAGED', at(106))).toBe(true);
      expect(await row()).toMatchObject({ status: 'failed', errorCode: 'FILE_DAMAGED' });
      expect(await r.panoramas.usage(p.ownerId)).toMatchObject({ bytes: 2_000 });
      expect(await r.renditions.requeue(x.id, at(107))).toBe(true);
      expect(await row()).toMatchObject({ status: 'queued', errorCode: null, startedAt: null, completedAt: null });
      expect(await r.renditions.markFailed(x.id, 'INVALID_IMAGE', at(108))).toBe(true);
      expect(await r.renditions.markProcessing(x.id, at(109))).toBe(false);
    });

    it('refuses to mark ready past the byte quota, changing nothing', async () => {
      const [p] = r.sources;
      const x = rendition(p, jpeg(200));
      await r.renditions.insertOrGet(x, 10);
      await r.renditions.markProcessing(x.id, at(1));
      await expect(
        r.renditions.markReady(
          x.id,
          { bytes: 600, sha256: 'd'.repeat(64) },
          { maxBytes: 2_500, maxPanoramas: 10 },
          at(2),
        ),
      ).rejects.toBeInstanceOf(QuotaExceededError);
      expect(await r.renditions.findById(x.id)).toMatchObject({ status: 'processing', bytes: null });
    });

    it('raises the share epoch, deletes, and goes with its panorama when that is purged', async () => {
      const [p, q] = r.sources;
      const x = rendition(p, jpeg(200));
      const y = rendition(q, jpeg(200));
      await r.renditions.insertOrGet(x, 10);
      await r.renditions.insertOrGet(y, 10);
      expect(await r.renditions.raiseShareEpoch(x.id, at(1))).toBe(true);
      expect((await r.renditions.findById(x.id))?.shareEpoch).toBe(1);
      expect(await r.renditions.raiseShareEpoch(randomUUID(), at(1))).toBe(false);
      expect(await r.renditions.delete(x.id)).toBe(true);
      expect(await r.renditions.delete(x.id)).toBe(false);
      await r.panoramas.purge(q.id);
      expect(await r.renditions.findById(y.id)).toBeNull();
    });
  });
}
