import { type ReadablePyramid, ServerBusyError } from '#shared-kernel';
import type { IiifImageRequest, RegionRead } from '../../domain/iiif.js';
import { TileSet } from '../../domain/tile-set.js';
import { IiifRenderTimeoutError, InvalidIiifRequestError } from '../../domain/index.js';
import { PyramidRegionRenderer } from '../ports/region-renderer.port.js';
import type { ReadyTileSets } from '../ready-tile-sets.service.js';
import type { TilePyramids } from '../tile-pyramids.service.js';
import type { ReadTileUseCase } from './read-tile.use-case.js';
import { type IiifSettings, IiifUseCase } from './iiif.use-case.js';

/** A renderer whose renders run until the test finishes them, and which stops when its signal aborts. */
class HeldRenderer extends PyramidRegionRenderer {
  readonly started: { request: IiifImageRequest; signal: AbortSignal; finish: () => void }[] = [];
  readonly stopped: IiifImageRequest[] = [];
  private startedWaiters: (() => void)[] = [];

  render(
    _pyramid: ReadablePyramid,
    _read: RegionRead,
    request: IiifImageRequest,
    { signal }: { signal: AbortSignal; timeout: number },
  ): Promise<Buffer> {
    return new Promise<Buffer>((resolve, reject) => {
      signal.addEventListener('abort', () => {
        this.stopped.push(request);
        reject(signal.reason as Error);
      });
      this.started.push({ request, signal, finish: () => resolve(Buffer.from(`${request.width}`)) });
      for (const wake of this.startedWaiters.splice(0)) wake();
    });
  }

  async whenStarted(count: number): Promise<void> {
    while (this.started.length < count) await new Promise<void>((resolve) => this.startedWaiters.push(resolve));
  }
}

const tileSet = Object.assign(
  TileSet.queue({
    id: 'aaaaaaaa-0000-4000-8000-000000000001',
    panoramaId: 'p',
    ownerId: 'owner',
    sourceKey: 'k',
    sourceWidth: 4000,
    sourceHeight: 1000,
    options: { tileSize: 256, format: 'jpeg', quality: 85, overlap: 1, layout: 'deepzoom' },
    now: new Date(),
  }),
  { status: 'ready' as const },
);
const owner = { kind: 'user', id: 'owner', role: 'user' } as never;

function useCase(settings: Partial<IiifSettings> = {}, renderer: PyramidRegionRenderer = new HeldRenderer()) {
  const iiif = new IiifUseCase(
    { forReader: async () => ({ tileSet }) } as unknown as ReadyTileSets,
    { view: () => ({}) } as unknown as TilePyramids,
    {} as ReadTileUseCase,
    renderer,
    {
      limits: { maxArea: 250_000, maxSide: 2000, maxReadArea: 1_100_000 },
      timeoutSeconds: 30,
      concurrency: 1,
      queue: 1,
      ...settings,
    },
  );
  const image = (size: string, signal?: AbortSignal, rotation = '0') =>
    iiif.image(
      owner,
      tileSet.id,
      { region: 'full', size, rotation, qualityFormat: 'default.png' },
      signal && (() => signal),
    );
  return { iiif, renderer: renderer as HeldRenderer, image };
}

describe('IiifUseCase', () => {
  it('refuses a size that changes the aspect ratio past the read limit, before any render starts', async () => {
    const { renderer, image } = useCase();
    // 1 x 1000 of a 4000 x 1000 image needs the full-size level: 4 MP read for 1000 pixels.
    await expect(image('1,1000')).rejects.toBeInstanceOf(InvalidIiifRequestError);
    expect(renderer.started).toHaveLength(0);
    const kept = image('1000,250'); // the aspect ratio kept: rendered
    await renderer.whenStarted(1);
    expect(renderer.started.map((s) => s.request.width)).toEqual([1000]);
    renderer.started[0].finish();
    await expect(kept).resolves.toMatchObject({ kind: 'rendered' });
  });

  it('runs `concurrency` renders, lets `queue` wait and refuses the next as busy', async () => {
    const { renderer, image } = useCase({ concurrency: 1, queue: 1 });
    const first = image('400,');
    await renderer.whenStarted(1);
    const second = image('300,');
    await expect(image('200,')).rejects.toBeInstanceOf(ServerBusyError);
    renderer.started[0].finish();
    await expect(first).resolves.toMatchObject({ kind: 'rendered' });
    await renderer.whenStarted(2);
    renderer.started[1].finish();
    await expect(second).resolves.toMatchObject({ kind: 'rendered' });
  });

  it('stops a render when its only client leaves, and a waiting one never starts', async () => {
    const { renderer, image } = useCase({ concurrency: 1, queue: 4 });
    const running = new AbortController();
    const waiting = new AbortController();
    const first = image('400,', running.signal);
    await renderer.whenStarted(1);
    const second = image('300,', waiting.signal);
    waiting.abort(new Error('client gone'));
    await expect(second).rejects.toThrow('client gone');
    running.abort(new Error('client gone'));
    await expect(first).rejects.toThrow('client gone');
    expect(renderer.stopped.map((r) => r.width)).toEqual([400]);
    // Nothing else ever started: the line is empty and the place free for the next request.
    const third = image('100,');
    await renderer.whenStarted(2);
    expect(renderer.started.map((s) => s.request.width)).toEqual([400, 100]);
    renderer.started[1].finish();
    await third;
  });

  it('keeps a render shared by identical requests going while one of their clients stays', async () => {
    const { renderer, image } = useCase();
    const leaving = new AbortController();
    const a = image('400,', leaving.signal);
    const b = image('400,');
    await renderer.whenStarted(1);
    leaving.abort(new Error('client gone'));
    await expect(a).rejects.toThrow('client gone');
    expect(renderer.started[0].signal.aborted).toBe(false);
    renderer.started[0].finish();
    await expect(b).resolves.toMatchObject({ kind: 'rendered' });
    expect(renderer.started).toHaveLength(1);
  });

  it('answers a render past its timeout with IIIF_RENDER_TIMEOUT', async () => {
    const renderer = new (class extends PyramidRegionRenderer {
      render(): Promise<Buffer> {
        return Promise.reject(new Error('timeout: 57% complete'));
      }
    })();
    const { image } = useCase({ timeoutSeconds: 3 }, renderer);
    await expect(image('400,')).rejects.toBeInstanceOf(IiifRenderTimeoutError);
  });
});
