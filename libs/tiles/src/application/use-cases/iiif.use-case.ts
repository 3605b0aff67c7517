import { Injectable } from '@nestjs/common';
import { type Reader, Semaphore } from '#shared-kernel';
import {
  canonicalRequest,
  type IiifFormat,
  type IiifImageRequest,
  iiifInfo,
  type IiifInfo,
  type IiifLimits,
  parseImageRequest,
  planRegionRead,
  storedTileFor,
} from '../../domain/iiif.js';
import { PyramidRegionRenderer } from '../ports/region-renderer.port.js';
import { ReadyTileSets } from '../ready-tile-sets.service.js';
import { TilePyramids } from '../tile-pyramids.service.js';
import { type FoundTile, ReadTileUseCase } from './read-tile.use-case.js';

export abstract class IiifSettings {
  abstract readonly limits: IiifLimits;
  abstract readonly timeoutSeconds: number;
  /** Renders at once in this process; more wait. */
  abstract readonly concurrency: number;
}

export type IiifImage =
  /** A stored tile answers the request exactly: its bytes, its ETag. */
  | { kind: 'tile'; request: IiifImageRequest; tile: FoundTile }
  | { kind: 'rendered'; request: IiifImageRequest; bytes: Buffer; format: IiifFormat };

/**
 * IIIF Image API over ready tile sets. Answers are rendered from the pyramid (only the
 * tiles that cover the region, at the smallest level detailed enough), bounded by the
 * limits (checked before any pixel is read), a timeout and a per-process concurrency;
 * identical requests in flight at once share one render.
 */
@Injectable()
export class IiifUseCase {
  private readonly inFlight = new Map<string, Promise<Buffer>>();
  private readonly renders: Semaphore;

  constructor(
    private readonly ready: ReadyTileSets,
    private readonly pyramids: TilePyramids,
    private readonly readTile: ReadTileUseCase,
    private readonly renderer: PyramidRegionRenderer,
    private readonly settings: IiifSettings,
  ) {
    this.renders = new Semaphore(settings.concurrency);
  }

  /** info.json, its id the base URI the client reached the service at. */
  async info(reader: Reader, tileSetId: string, baseUri: string): Promise<IiifInfo> {
    const { tileSet } = await this.ready.forReader(reader, tileSetId);
    return iiifInfo(baseUri, tileSet.spec(), this.settings.limits);
  }

  async image(
    reader: Reader,
    tileSetId: string,
    segments: { region: string; size: string; rotation: string; qualityFormat: string },
  ): Promise<IiifImage> {
    const { tileSet } = await this.ready.forReader(reader, tileSetId);
    const spec = tileSet.spec();
    const request = parseImageRequest(segments, spec, this.settings.limits);
    const stored = storedTileFor(spec, tileSet.format, request);
    if (stored) {
      const tile = await this.readTile.execute(reader, { tileSetId, ...stored, extension: tileSet.format });
      return { kind: 'tile', request, tile };
    }
    const key = `${tileSetId}/${canonicalRequest(request)}`;
    let render = this.inFlight.get(key);
    if (!render) {
      render = this.renders
        .run(() =>
          this.renderer.render(
            this.pyramids.view(tileSet),
            planRegionRead(spec, request),
            request,
            this.settings.timeoutSeconds,
          ),
        )
        .finally(() => this.inFlight.delete(key));
      this.inFlight.set(key, render);
    }
    return { kind: 'rendered', request, bytes: await render, format: request.format };
  }
}
