import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { type ImageInfo, ImageProcessor, PanoramaAccess, UploadPanoramaUseCase } from '#panoramas';
import {
  parsePresets,
  RenditionJobs,
  RenditionRequests,
  type RenditionsSettings,
  RenditionsOfPanoramasUseCase,
  RequestPresetRenditionsUseCase,
} from '#renditions';
import { FileSystemUploadStaging, LocalObjectStorage } from '#storage';
import {
  FixedClock,
  FixedQuotas,
  IN_MEMORY_TRANSACTION,
  InMemoryPanoramaRepository,
  InMemoryRenditionRepository,
  InMemoryTileSetRepository,
  RecordingJobQueue,
} from '#testing';
import { TileSetJobs, TileSetRequests } from '#tiles';
import { PanoramaDerivatives } from '../catalogue/panorama-catalogue.use-case.js';
import { IngestPanoramaUseCase, type IngestSource } from './ingest-panorama.use-case.js';
import { REQUEST_PRESETS_JOB } from './jobs.js';

class FakeImages extends ImageProcessor {
  async probe(): Promise<ImageInfo> {
    return {
      format: 'jpeg',
      width: 4000,
      height: 2000,
      orientation: null,
      progressive: false,
      hasAlpha: false,
      xmpProjection: null,
    };
  }
}

const PRESETS = parsePresets('thumb:320:webp,preview:2048:jpeg');
const OWNER = '22222222-2222-4222-8222-222222222222';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tessera-ingest-'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

function setup() {
  const tileSets = new InMemoryTileSetRepository();
  const panoramas = new InMemoryPanoramaRepository(tileSets);
  const renditions = new InMemoryRenditionRepository(panoramas);
  const queue = new RecordingJobQueue();
  const clock = new FixedClock();
  const settings = {
    presets: PRESETS,
    maxPerPanorama: 20,
    renderTimeoutSeconds: 60,
  } as Partial<RenditionsSettings> as RenditionsSettings;
  const upload = new UploadPanoramaUseCase(
    panoramas,
    tileSets,
    new TileSetRequests(tileSets, new TileSetJobs(tileSets, queue), clock),
    new FileSystemUploadStaging(join(dir, 'tmp')),
    new FakeImages(),
    new LocalObjectStorage(join(dir, 'storage')),
    new FixedQuotas(),
    { maxUploadBytes: 1_000_000 },
    clock,
    queue,
  );
  const presets = new RequestPresetRenditionsUseCase(
    new RenditionRequests(renditions, new RenditionJobs(renditions, queue), settings, clock),
  );
  const ingest = new IngestPanoramaUseCase(
    upload,
    presets,
    new PanoramaDerivatives(new RenditionsOfPanoramasUseCase(renditions)),
    new PanoramaAccess(panoramas),
    // No upload here names a collection.
    {
      owned: () => Promise.reject(new Error('unexpected')),
      add: () => Promise.reject(new Error('unexpected')),
    } as never,
  );
  return { ingest, panoramas, renditions, queue };
}

const JPEG = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(1000, 7)]);
const source = (bytes: Buffer, presets = PRESETS): IngestSource => ({
  filename: 'alps.jpg',
  content: Readable.from([bytes]),
  fields: async () => ({ tileOptions: {}, presets }),
});

describe('IngestPanoramaUseCase', () => {
  it('commits the preset job with the panorama, asks for the presets at once, and answers with them', async () => {
    const { ingest, queue } = setup();
    const result = await ingest.execute(OWNER, source(JPEG));
    expect(result.created).toBe(true);
    expect(result.renditions.map((r) => [r.name, r.status])).toEqual([
      ['thumb', 'queued'],
      ['preview', 'queued'],
    ]);
    const job = queue.sent.find((s) => s.name === REQUEST_PRESETS_JOB);
    expect(job?.payload).toEqual({ panoramaId: result.panorama.id, ownerId: OWNER, presets: PRESETS });
    // Sent inside the panorama's transaction, keyed to the panorama.
    expect(job?.options).toEqual({ singletonKey: result.panorama.id, within: IN_MEMORY_TRANSACTION });
  });

  it('sends no job when the upload picks no preset, and none when the commit fails', async () => {
    const { ingest, queue, panoramas } = setup();
    await ingest.execute(OWNER, source(JPEG, []));
    expect(queue.sent.filter((s) => s.name === REQUEST_PRESETS_JOB)).toEqual([]);

    panoramas.failNextInsert = new Error('database gone');
    await expect(ingest.execute(OWNER, source(Buffer.concat([JPEG, Buffer.from('other')])))).rejects.toThrow(
      'database gone',
    );
    expect(queue.sent.filter((s) => s.name === REQUEST_PRESETS_JOB)).toEqual([]);
  });

  it("the job's side makes the presets once, whoever comes first, and skips a panorama deleted since", async () => {
    const { ingest, renditions, panoramas } = setup();
    const result = await ingest.execute(OWNER, source(JPEG));
    await ingest.requestCommittedPresets(result.panorama.id, OWNER, PRESETS);
    expect((await renditions.findByPanoramas([result.panorama.id])).get(result.panorama.id)).toHaveLength(2);

    await panoramas.markDeleted(result.panorama.id, new Date());
    await expect(ingest.requestCommittedPresets(result.panorama.id, OWNER, PRESETS)).resolves.toBeUndefined();
  });

  it('asks again for the presets of the same bytes uploaded again (a re-upload may pick new ones)', async () => {
    const { ingest } = setup();
    await ingest.execute(OWNER, source(JPEG, [PRESETS[0]]));
    const again = await ingest.execute(OWNER, source(JPEG));
    expect(again.created).toBe(false);
    expect(again.renditions.map((r) => r.name)).toEqual(['thumb', 'preview']);
  });
});
