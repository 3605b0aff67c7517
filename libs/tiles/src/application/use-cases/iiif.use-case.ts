import { Injectable } from '@nestjs/common';
import { type ReadablePyramid, type Reader, Semaphore } from '#shared-kernel';
import {
  canonicalRequest,
  type IiifFormat,
  type IiifImageRequest,
  iiifInfo,
  type IiifInfo,
  type IiifLimits,
  parseImageRequest,
  type RegionRead,
  planRegionRead,
  storedTileFor,
} from '../../domain/iiif.js';
import { IiifRenderTimeoutError } from '../../domain/tiles.errors.js';
import { PyramidRegionRenderer } from '../ports/region-renderer.port.js';
import { ReadyTileSets } from '../ready-tile-sets.service.js';
import { TilePyramids } from '../tile-pyramids.service.js';
import { type FoundTile, ReadTileUseCase } from './read-tile.use-case.js';

export abstract class IiifSettings {
  abstract readonly limits: IiifLimits;
  abstract readonly timeoutSeconds: number;
  /** Renders at once in this process; more wait. */
  abstract readonly concurrency: number;
  /** Renders waiting for a turn in this process; more are refused (503, Retry-After). */
  abstract readonly queue: number;
}

/** A render that one or more identical requests wait for; stopped when the last one leaves. */
interface Flight {
  result: Promise<Buffer>;
  stop: AbortController;
  clients: number;
}

export type IiifImage =
  /** A stored tile answers the request exactly: its bytes, its ETag. */
  | { kind: 'tile'; request: IiifImageRequest; tile: FoundTile }
  | { kind: 'rendered'; request: IiifImageRequest; bytes: Buffer; format: IiifFormat };

/**
 * IIIF Image API over ready tile sets. Answers are rendered from the pyramid (only the
 * tiles that cover the region, at the smallest level detailed enough), bounded before any
 * pixel is read (the answer's size turned, and the pixels read), by a timeout, and by a
 * per-process concurrency with a bounded line behind it; identical requests in flight at
 * once share one render, which stops when the last of their clients leaves.
 */
@Injectable()
export class IiifUseCase {
  private readonly inFlight = new Map<string, Flight>();
  private readonly renders: Semaphore;

  constructor(
    private readonly ready: ReadyTileSets,
    private readonly pyramids: TilePyramids,
    private readonly readTile: ReadTileUseCase,
    private readonly renderer: PyramidRegionRenderer,
    private readonly settings: IiifSettings,
  ) {
    this.renders = new Semaphore(settings.concurrency, {
      maxWaiting: settings.queue,
      what: 'IIIF renders',
      retryAfterSeconds: 5,
    });
  }

  /** info.json, its id the base URI the client reached the service at. */
  async info(reader: Reader, tileSetId: string, baseUri: string): Promise<IiifInfo> {
    const { tileSet } = await this.ready.forReader(reader, tileSetId);
    return iiifInfo(baseUri, tileSet.spec(), this.settings.limits);
  }

  /**
   * One image request: a stored tile (the ready tile set looked up once), or a render.
   * `clientGone` is called only for a render: its signal aborts when the client goes away
   * (the render stops if nobody else waits for it).
   */
  async image(
    reader: Reader,
    tileSetId: string,
    segments: { region: string; size: string; rotation: string; qualityFormat: string },
    clientGone?: () => AbortSignal,
  ): Promise<IiifImage> {
    const ready = await this.ready.forReader(reader, tileSetId);
    const { tileSet } = ready;
    const spec = tileSet.spec();
    const request = parseImageRequest(segments, spec, this.settings.limits);
    const stored = storedTileFor(spec, tileSet.format, request);
    if (stored)
      return { kind: 'tile', request, tile: this.readTile.of(ready, { ...stored, extension: tileSet.format }) };
    const signal = clientGone?.();
    const read = planRegionRead(spec, request, this.settings.limits); // refuses before reading
    const key = `${tileSetId}/${canonicalRequest(request)}`;
    const flight = this.inFlight.get(key) ?? this.startRender(key, () => this.pyramids.view(tileSet), read, request);
    flight.clients++;
    try {
      return { kind: 'rendered', request, bytes: await untilAborted(flight.result, signal), format: request.format };
    } finally {
      if (--flight.clients === 0 && signal?.aborted) {
        // The last client left: stop the render (a waiting one leaves the line at once).
        if (this.inFlight.get(key) === flight) this.inFlight.delete(key);
        flight.stop.abort(signal.reason);
      }
    }
  }

  /** One render, in line for a place, shared under `key` until it settles. */
  private startRender(
    key: string,
    pyramid: () => ReadablePyramid,
    read: RegionRead,
    request: IiifImageRequest,
  ): Flight {
    const timeout = this.settings.timeoutSeconds;
    const stop = new AbortController();
    const deadline = AbortSignal.timeout(timeout * 1000);
    const until = AbortSignal.any([stop.signal, deadline]);
    const result = this.renders
      .run(() => this.renderer.render(pyramid(), read, request, { signal: until, timeout }), until)
      .catch((error: unknown) => {
        if (deadline.aborted || isTimeout(error)) throw new IiifRenderTimeoutError(timeout);
        throw error;
      });
    const flight: Flight = { result, stop, clients: 0 };
    this.inFlight.set(key, flight);
    void result
      .catch(() => undefined) // a render nobody waits for any more may fail unobserved
      .finally(() => {
        if (this.inFlight.get(key) === flight) this.inFlight.delete(key);
      });
    return flight;
  }
}

const isTimeout = (error: unknown) => error instanceof Error && /timeout/i.test(error.message);

/** `work`, or the signal's reason as soon as it aborts (the work itself goes on: see the caller). */
function untilAborted<T>(work: Promise<T>, signal?: AbortSignal): Promise<T> {
  if (!signal) return work;
  signal.throwIfAborted();
  return new Promise<T>((resolve, reject) => {
    const leave = () => reject(signal.reason as Error);
    signal.addEventListener('abort', leave, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', leave));
  });
}
