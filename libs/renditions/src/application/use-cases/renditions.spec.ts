import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { Panorama, PanoramaAccess, QuotaExceededError } from '#panoramas';
import {
  CreateRenditionUseCase,
  RenderFailedError,
  type RenderOptions,
  type RenderSource,
  RenderRenditionUseCase,
  RenditionLimitReachedError,
  RenditionRenderer,
  RenditionJobs,
  RenditionRequests,
  type RenditionSpec,
  RenditionsSettings,
  RequestPresetRenditionsUseCase,
  parsePresets,
  CheckRenditionsIntegrityUseCase,
} from '#renditions';
import { type ReadablePyramid, ReadyPyramids } from '#shared-kernel';
import { FileSystemUploadStaging, LocalObjectStorage } from '#storage';
import {
  FixedClock,
  FixedQuotas,
  InMemoryPanoramaRepository,
  InMemoryRenditionRepository,
  InMemoryTileSetRepository,
  RecordingJobQueue,
} from '#testing';

/** Writes a file of `bytes` bytes as the "rendition", remembering what it was asked to render from. */
class FakeRenderer extends RenditionRenderer {
  sources: string[] = [];
  bytes = 1_000;
  failFromPyramid = false;
  async render(source: RenderSource, _spec: RenditionSpec, out: string, _options?: RenderOptions) {
    const kind = 'pyramid' in source ? 'pyramid' : 'path' in source ? 'path' : 'stream';
    this.sources.push(kind);
    if (kind === 'pyramid' && this.failFromPyramid) throw new RenderFailedError('a damaged tile');
    await writeFile(out, Buffer.alloc(this.bytes, 7));
    return { bytes: this.bytes, sha256: 'a'.repeat(64) };
  }
}

class FakePyramids extends ReadyPyramids {
  pyramid: ReadablePyramid | null = null;
  async bestOf() {
    return this.pyramid;
  }
}

const pyramidOf = (format: 'jpeg' | 'png', quality: number): ReadablePyramid => ({
  width: 8000,
  height: 4000,
  tileSize: 256,
  overlap: 1,
  format,
  quality,
  levels: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13].map((level) => {
    const scale = 2 ** (13 - level);
    const width = Math.ceil(8000 / scale);
    const height = Math.ceil(4000 / scale);
    return { level, width, height, cols: Math.ceil(width / 256), rows: Math.ceil(height / 256) };
  }),
  tileBounds: () => ({ x: 0, y: 0, width: 256, height: 256 }),
  readTile: async () => Buffer.alloc(0),
});

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tessera-renditions-'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

async function setup(options: { limit?: number } = {}) {
  const tileSets = new InMemoryTileSetRepository();
  const panoramas = new InMemoryPanoramaRepository(tileSets);
  const renditions = new InMemoryRenditionRepository(panoramas);
  const queue = new RecordingJobQueue();
  const clock = new FixedClock();
  const storage = new LocalObjectStorage(join(dir, 'storage'));
  const staging = new FileSystemUploadStaging(join(dir, 'tmp'));
  const quotas = new FixedQuotas();
  const renderer = new FakeRenderer();
  const pyramids = new FakePyramids();
  const settings: RenditionsSettings = {
    presets: parsePresets('thumb:320:webp,preview:2048:jpeg'),
    maxPerPanorama: options.limit ?? 20,
    renderTimeoutSeconds: 60,
    compress: {
      maxBytes: 1e9,
      maxPixels: 1e8,
      maxSide: 65_535,
      timeoutSeconds: 60,
      concurrency: 1,
      queue: 0,
      queueSeconds: 1,
    },
  };
  const requests = new RenditionRequests(renditions, new RenditionJobs(renditions, queue), settings, clock);
  const now = clock.now();
  const panorama = new Panorama({
    id: '11111111-1111-4111-8111-111111111111',
    ownerId: '22222222-2222-4222-8222-222222222222',
    title: 'Alps',
    description: null,
    originalFilename: 'alps.jpg',
    format: 'jpeg',
    bytes: 5_000,
    width: 8000,
    height: 4000,
    projection: 'equirectangular',
    sha256: 'b'.repeat(64),
    originalKey: 'originals/22222222-2222-4222-8222-222222222222/11111111-1111-4111-8111-111111111111/original.jpg',
    createdAt: now,
    updatedAt: now,
    deletedAt: null,
  });
  panoramas.rows.set(panorama.id, panorama);
  await storage.put(panorama.originalKey, Readable.from([Buffer.alloc(5_000, 1)]));
  const owner = { userId: panorama.ownerId, role: 'user' as const };
  return {
    panorama,
    owner,
    panoramas,
    renditions,
    queue,
    storage,
    quotas,
    renderer,
    pyramids,
    requests,
    create: new CreateRenditionUseCase(new PanoramaAccess(panoramas), panoramas, quotas, requests),
    presets: new RequestPresetRenditionsUseCase(requests),
    render: new RenderRenditionUseCase(renditions, panoramas, pyramids, renderer, storage, staging, quotas, clock),
    integrity: new CheckRenditionsIntegrityUseCase(renditions, storage, requests, clock),
    settings,
  };
}

const storedFiles = async (root: string) =>
  (await readdir(root, { recursive: true, withFileTypes: true })).filter((e) => e.isFile()).map((e) => e.name);

describe('asking for renditions', () => {
  it('queues a new one and sends its job once; the same picture again is the same rendition', async () => {
    const s = await setup();
    const first = await s.create.execute(s.owner, s.panorama.id, { width: 1000, format: 'webp' });
    const again = await s.create.execute(s.owner, s.panorama.id, { width: 1000, height: 4000, format: 'webp' });
    expect(first).toMatchObject({
      created: true,
      retried: false,
      rendition: { status: 'queued', width: 1000, height: 500 },
    });
    expect(again).toMatchObject({ created: false, retried: false });
    expect(again.rendition.id).toBe(first.rendition.id);
    expect(s.queue.sent).toEqual([
      {
        name: 'renditions.render',
        payload: { renditionId: first.rendition.id },
        options: { singletonKey: first.rendition.id },
      },
    ]);
    expect(first.rendition.key).toBe(`${s.panorama.originalPrefix()}renditions/${first.rendition.id}.webp`);
  });

  it('stops at the per-panorama limit, and refuses an owner already at the byte quota', async () => {
    const s = await setup({ limit: 2 });
    await s.create.execute(s.owner, s.panorama.id, { width: 10 });
    await s.create.execute(s.owner, s.panorama.id, { width: 11 });
    await expect(s.create.execute(s.owner, s.panorama.id, { width: 12 })).rejects.toBeInstanceOf(
      RenditionLimitReachedError,
    );
    s.quotas.quota = { maxBytes: 5_000, maxPanoramas: 10 };
    const t = await setup();
    t.quotas.quota = { maxBytes: 5_000, maxPanoramas: 10 };
    await expect(t.create.execute(t.owner, t.panorama.id, { width: 12 })).rejects.toBeInstanceOf(QuotaExceededError);
  });

  it('still commits a rendition whose job cannot be sent (the reconciler sends it later)', async () => {
    const s = await setup();
    s.queue.failNext = new Error('queue down');
    const { rendition } = await s.create.execute(s.owner, s.panorama.id, { width: 10 });
    expect(await s.renditions.findQueued(10)).toEqual([rendition]);
  });

  it('makes the presets of an upload, skipping one past the limit rather than failing the upload', async () => {
    const s = await setup({ limit: 1 });
    const made = await s.presets.execute(s.panorama, s.settings.presets);
    expect(made.map((r) => r.name)).toEqual(['thumb']);
  });
});

describe('the render job', () => {
  it('renders from the original when there is no pyramid, stores the file and marks it ready', async () => {
    const s = await setup();
    const { rendition } = await s.create.execute(s.owner, s.panorama.id, { width: 320, format: 'webp' });
    await s.render.execute(rendition.id);
    expect(s.renderer.sources).toEqual(['path']);
    expect(await s.renditions.findById(rendition.id)).toMatchObject({ status: 'ready', bytes: 1_000 });
    expect((await s.storage.stat(rendition.key))?.bytes).toBe(1_000);
    expect(await storedFiles(join(dir, 'tmp')).catch(() => [])).toEqual([]);
  });

  it('renders from a ready pyramid when it is lossless or at least as good, else from the original', async () => {
    const s = await setup();
    s.pyramids.pyramid = pyramidOf('jpeg', 85);
    const webp = await s.create.execute(s.owner, s.panorama.id, { width: 320, format: 'webp' }); // quality 80
    const fine = await s.create.execute(s.owner, s.panorama.id, { width: 321, format: 'jpeg', quality: 95 });
    const png = await s.create.execute(s.owner, s.panorama.id, { width: 322, format: 'png' });
    for (const r of [webp, fine, png]) await s.render.execute(r.rendition.id);
    // A PNG rendition needs no quality: JPEG tiles are good enough... unless lossy: it is not.
    expect(s.renderer.sources).toEqual(['pyramid', 'path', 'path']);
    s.pyramids.pyramid = pyramidOf('png', 100);
    const fromPng = await s.create.execute(s.owner, s.panorama.id, { width: 323, format: 'png' });
    await s.render.execute(fromPng.rendition.id);
    expect(s.renderer.sources.at(-1)).toBe('pyramid');
  });

  it('reads the original for a size whose pyramid level would be too large to stitch', async () => {
    const s = await setup();
    s.pyramids.pyramid = pyramidOf('png', 100);
    const big = await s.create.execute(s.owner, s.panorama.id, { width: 7000, format: 'png' });
    await s.render.execute(big.rendition.id);
    expect(s.renderer.sources).toEqual(['path']);
  });

  it('falls back to the original when the pyramid turns out damaged', async () => {
    const s = await setup();
    s.pyramids.pyramid = pyramidOf('png', 100);
    s.renderer.failFromPyramid = true;
    const { rendition } = await s.create.execute(s.owner, s.panorama.id, { width: 320, format: 'png' });
    await s.render.execute(rendition.id);
    expect(s.renderer.sources).toEqual(['pyramid', 'path']);
    expect((await s.renditions.findById(rendition.id))!.status).toBe('ready');
  });

  it('over quota: removes the file and fails the rendition with QUOTA_EXCEEDED', async () => {
    const s = await setup();
    const { rendition } = await s.create.execute(s.owner, s.panorama.id, { width: 320 });
    s.quotas.quota = { maxBytes: 5_500, maxPanoramas: 10 };
    await s.render.execute(rendition.id);
    expect(await s.renditions.findById(rendition.id)).toMatchObject({ status: 'failed', errorCode: 'QUOTA_EXCEEDED' });
    expect(await s.storage.stat(rendition.key)).toBeNull();
  });

  it('an undecodable image fails for good; another error fails only on the last attempt', async () => {
    const s = await setup();
    const { rendition } = await s.create.execute(s.owner, s.panorama.id, { width: 320, format: 'png' });
    s.pyramids.pyramid = null;
    const broken = new RenderFailedError('bad data');
    s.renderer.render = async () => {
      throw broken;
    };
    await expect(s.render.execute(rendition.id, { isLastAttempt: false })).rejects.toBe(broken);
    expect(await s.renditions.findById(rendition.id)).toMatchObject({ status: 'failed', errorCode: 'RENDER_FAILED' });

    const other = (await s.create.execute(s.owner, s.panorama.id, { width: 321 })).rendition;
    s.renderer.render = async () => {
      throw new Error('disk full');
    };
    await expect(s.render.execute(other.id, { isLastAttempt: false })).rejects.toThrow('disk full');
    expect((await s.renditions.findById(other.id))!.status).toBe('processing');
    await expect(s.render.execute(other.id, { isLastAttempt: true })).rejects.toThrow('disk full');
    expect(await s.renditions.findById(other.id)).toMatchObject({ status: 'failed', errorCode: 'RENDER_FAILED' });
  });

  it('leaves no file when the rendition or its panorama was deleted meanwhile, and ignores a repeat', async () => {
    const s = await setup();
    const { rendition } = await s.create.execute(s.owner, s.panorama.id, { width: 320 });
    const render = s.renderer.render.bind(s.renderer);
    s.renderer.render = async (...args) => {
      const file = await render(...args);
      await s.panoramas.markDeleted(s.panorama.id, new Date());
      return file;
    };
    const imported: string[] = [];
    const importFile = s.storage.importFile.bind(s.storage);
    s.storage.importFile = async (key, ...rest) => {
      imported.push(key);
      return importFile(key, ...rest);
    };
    await s.render.execute(rendition.id);
    expect(await s.storage.stat(rendition.key)).toBeNull();
    expect(imported).toEqual([]); // not stored and removed: never stored

    const t = await setup();
    const done = (await t.create.execute(t.owner, t.panorama.id, { width: 320 })).rendition;
    await t.render.execute(done.id);
    await t.render.execute(done.id); // a duplicate delivery of the job
    expect(t.renderer.sources).toHaveLength(1);
  });
});

describe('integrity of renditions', () => {
  it('finds a damaged file and, asked to, makes the rendition again', async () => {
    const s = await setup();
    const { rendition } = await s.create.execute(s.owner, s.panorama.id, { width: 320 });
    await s.render.execute(rendition.id);
    await s.storage.put(rendition.key, Readable.from([Buffer.from('tampered')]));
    const report = await s.integrity.execute({}, 'recut');
    expect(report.damaged).toEqual([
      expect.objectContaining({ key: rendition.key, problem: 'size', renditionId: rendition.id }),
    ]);
    expect(report.repairs).toEqual([{ renditionId: rendition.id, repair: 'recut', applied: true }]);
    expect((await s.renditions.findById(rendition.id))!.status).toBe('queued');
    expect(s.queue.sent.filter((j) => j.name === 'renditions.render')).toHaveLength(2);
  });
});
