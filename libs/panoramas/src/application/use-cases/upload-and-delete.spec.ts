import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import {
  DeletePanoramaUseCase,
  type ImageInfo,
  ImageProcessor,
  PanoramaAccess,
  PanoramaNotFoundError,
  PurgePanoramaUseCase,
  QuotaExceededError,
  UploadPanoramaUseCase,
  type UploadSource,
  UploadTooLargeError,
} from '#panoramas';
import { FileSystemUploadStaging, LocalObjectStorage } from '#storage';
import {
  FixedClock,
  FixedQuotas,
  InMemoryPanoramaRepository,
  InMemoryTileSetRepository,
  RecordingJobQueue,
} from '#testing';
import { TileSetJobs, TileSetRequests } from '#tiles';

const JPEG_HEAD = Buffer.from([0xff, 0xd8, 0xff, 0xe0]);

class FakeImages extends ImageProcessor {
  info: ImageInfo = {
    format: 'jpeg',
    width: 4000,
    height: 2000,
    orientation: null,
    progressive: false,
    hasAlpha: false,
    xmpProjection: null,
  };
  async probe() {
    return this.info;
  }
}

/** Storage whose deletePrefix fails the first `failures` times (storage down). */
class FlakyStorage extends LocalObjectStorage {
  failures = 0;
  override async deletePrefix(prefix: string) {
    if (this.failures > 0) {
      this.failures--;
      throw new Error('storage unavailable');
    }
    return super.deletePrefix(prefix);
  }
}

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tessera-usecase-'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

function setup(options: { maxUploadBytes?: number } = {}) {
  const tileSets = new InMemoryTileSetRepository();
  const panoramas = new InMemoryPanoramaRepository(tileSets);
  const queue = new RecordingJobQueue();
  const clock = new FixedClock();
  const storage = new FlakyStorage(join(dir, 'storage'));
  const staging = new FileSystemUploadStaging(join(dir, 'tmp'));
  const quotas = new FixedQuotas();
  const images = new FakeImages();
  const requests = new TileSetRequests(tileSets, new TileSetJobs(tileSets, queue), clock);
  const access = new PanoramaAccess(panoramas);
  const purge = new PurgePanoramaUseCase(panoramas, tileSets, storage);
  return {
    tileSets,
    images,
    panoramas,
    queue,
    storage,
    quotas,
    upload: new UploadPanoramaUseCase(
      panoramas,
      tileSets,
      requests,
      staging,
      images,
      storage,
      quotas,
      { maxUploadBytes: options.maxUploadBytes ?? 1_000_000 },
      clock,
      queue,
    ),
    remove: new DeletePanoramaUseCase(access, panoramas, purge, queue, clock),
    purge,
  };
}

const source = (data: Buffer, overrides: Partial<UploadSource> = {}): UploadSource => ({
  filename: 'pano.jpg',
  content: Readable.from([data]),
  fields: async () => ({ tileOptions: {} }),
  ...overrides,
});
const owner = { userId: '11111111-1111-4111-8111-111111111111', role: 'user' as const };
const files = async (path: string) =>
  (await readdir(path, { recursive: true, withFileTypes: true }).catch(() => []))
    .filter((e) => e.isFile())
    .map((e) => e.name);
const bytes = (n: number) => Buffer.concat([JPEG_HEAD, Buffer.alloc(n - JPEG_HEAD.length, 7)]);

describe('UploadPanoramaUseCase', () => {
  it('stores the original, commits panorama + tile set and enqueues the cutting job', async () => {
    const t = setup();
    const result = await t.upload.execute(owner.userId, source(bytes(1000)));
    expect(result.created).toBe(true);
    expect(await files(join(dir, 'storage'))).toEqual(['original.jpg']);
    expect(t.panoramas.rows.size).toBe(1);
    expect(t.queue.sent).toEqual([
      {
        name: 'tiles.generate',
        payload: { tileSetId: result.tileSets[0].id },
        options: { singletonKey: result.tileSets[0].id },
      },
    ]);
    expect(await files(join(dir, 'tmp'))).toEqual([]);
  });

  it('queues a sphere tile set too for a 360° panorama (photo-sphere XMP), and sends both jobs', async () => {
    const t = setup();
    t.images.info = { ...t.images.info, xmpProjection: 'equirectangular' };
    const result = await t.upload.execute(owner.userId, source(bytes(1000)));
    expect(result.panorama.projection).toBe('equirectangular');
    expect(result.tileSets.map((s) => [s.layout, s.tileSize, s.overlap, s.spec().width, s.spec().height])).toEqual([
      ['deepzoom', 256, 0, 4000, 2000],
      ['sphere', 512, 0, 2048, 1024],
    ]);
    expect(t.queue.sent.map((j) => j.payload)).toEqual(result.tileSets.map((s) => ({ tileSetId: s.id })));
  });

  it('removes the stored original when the commit fails: no file without a row', async () => {
    const t = setup();
    t.panoramas.failNextInsert = new Error('database went away');
    await expect(t.upload.execute(owner.userId, source(bytes(1000)))).rejects.toThrow('database went away');
    expect(await files(join(dir, 'storage'))).toEqual([]);
    expect(await files(join(dir, 'tmp'))).toEqual([]);
    expect(t.queue.sent).toEqual([]);
  });

  it('still succeeds when the job cannot be sent; the tile set stays queued for the reconciler', async () => {
    const t = setup();
    t.queue.failNext = new Error('queue down');
    const result = await t.upload.execute(owner.userId, source(bytes(1000)));
    expect(result.created).toBe(true);
    expect(await t.tileSets.findQueued(10)).toHaveLength(1);
  });

  it('checks the count quota before reading a byte', async () => {
    const t = setup();
    t.quotas.quota = { maxBytes: 10_000, maxPanoramas: 0 };
    const content = Readable.from([bytes(1000)]);
    await expect(t.upload.execute(owner.userId, source(bytes(1000), { content }))).rejects.toBeInstanceOf(
      QuotaExceededError,
    );
    expect(content.readableFlowing).toBeNull(); // never started reading
  });

  it('refuses from Content-Length alone, and stops streaming at the byte limit', async () => {
    const t = setup({ maxUploadBytes: 2000 });
    await expect(
      t.upload.execute(owner.userId, source(bytes(1000), { declaredBytes: 5_000_000 })),
    ).rejects.toBeInstanceOf(UploadTooLargeError);
    await expect(t.upload.execute(owner.userId, source(bytes(2001)))).rejects.toBeInstanceOf(UploadTooLargeError);
    expect(await files(join(dir, 'tmp'))).toEqual([]);
    await expect(t.upload.execute(owner.userId, source(bytes(2000)))).resolves.toMatchObject({ created: true });
  });

  it('reports the byte quota (not the upload limit) when the quota is what is exceeded', async () => {
    const t = setup({ maxUploadBytes: 1_000_000 });
    t.quotas.quota = { maxBytes: 1500, maxPanoramas: 10 };
    await expect(t.upload.execute(owner.userId, source(bytes(1501)))).rejects.toBeInstanceOf(QuotaExceededError);
  });

  it('discards the staged file when the text fields turn out invalid', async () => {
    const t = setup();
    const invalid = new Error('title must be shorter');
    await expect(
      t.upload.execute(owner.userId, source(bytes(1000), { fields: () => Promise.reject(invalid) })),
    ).rejects.toBe(invalid);
    expect(await files(dir)).toEqual([]);
  });
});

describe('DeletePanoramaUseCase', () => {
  it('hides the panorama at once; when storage fails it queues a purge that finishes later', async () => {
    const t = setup();
    const { panorama } = await t.upload.execute(owner.userId, source(bytes(1000)));
    t.storage.failures = 1;

    await t.remove.execute(owner, panorama.id);
    expect(await t.panoramas.findById(panorama.id)).toBeNull();
    expect(t.queue.sent.at(-1)).toEqual({
      name: 'panoramas.purge',
      payload: { panoramaId: panorama.id },
      options: { singletonKey: panorama.id },
    });
    expect(await files(join(dir, 'storage'))).toEqual(['original.jpg']); // not yet purged

    await t.purge.execute(panorama.id); // the job runs (storage is back)
    expect(await files(join(dir, 'storage'))).toEqual([]);
    expect(t.panoramas.rows.size).toBe(0);
    expect(t.tileSets.rows.size).toBe(0);
    await t.purge.execute(panorama.id); // and again: nothing to do, no error
  });

  it("never purges a live panorama, and answers 404 for someone else's", async () => {
    const t = setup();
    const { panorama } = await t.upload.execute(owner.userId, source(bytes(1000)));
    await t.purge.execute(panorama.id);
    expect(t.panoramas.rows.size).toBe(1);
    await expect(t.remove.execute({ userId: 'someone-else', role: 'user' }, panorama.id)).rejects.toBeInstanceOf(
      PanoramaNotFoundError,
    );
    await expect(t.remove.execute({ userId: 'an-admin', role: 'admin' }, panorama.id)).rejects.toBeInstanceOf(
      PanoramaNotFoundError,
    );
  });
});
