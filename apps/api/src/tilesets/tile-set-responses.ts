import { createHash } from 'node:crypto';
import { pipeline } from 'node:stream/promises';
import { Injectable, Logger } from '@nestjs/common';
import type { Request, Response } from 'express';
import { AppConfig } from '#config';
import { Metrics, ObjectNotFoundError, type Reader } from '#shared-kernel';
import {
  deepZoomDescriptor,
  type FoundTile,
  GetTileManifestUseCase,
  IIIF_CONTEXT,
  IIIF_PROFILE_URI,
  IiifUseCase,
  MAX_CACHED_TILE_BYTES,
  NotASphereError,
  sphereLevels,
  ReadTileUseCase,
  TILE_CONTENT_TYPES,
  TileNotFoundError,
} from '#tiles';
import { whenClientGone } from '../http/client-gone.js';
import { ifNoneMatch } from '../http/conditional.js';
import { RequestValidationError } from '../http/problem/request-validation.error.js';
import { sendZip } from '../http/zip-stream.js';
import { sendJsonLd } from '../http/json-ld.js';
import { publicOrigin } from '../http/public-origin.js';
import { type ShareAccess, shareCacheControl } from '../share/share-link.guard.js';
import type { SphereDescriptorDto } from './dto/iiif.dto.js';
import type { ManifestQueryDto, TileManifestDto } from './dto/tile-manifest.dto.js';
import { PlanTileArchiveUseCase } from '#panoramas';

export const IMMUTABLE = 'private, max-age=31536000, immutable';
const TILE_NAME = /^(\d{1,7})_(\d{1,7})\.([a-z]{3,4})$/;
const IIIF_IMAGE_TYPES = { jpg: 'image/jpeg', png: 'image/png', webp: 'image/webp' } as const;

/** Where a tile set's answers are reached: its base path, and how long they may be cached. */
export interface TileSetPlace {
  /** `/v1/tilesets/{id}` or `/v1/s/{token}/tilesets/{id}`. */
  basePath: string;
  /** Cache-Control of immutable answers (tiles, descriptors): shorter under a share link. */
  cacheControl: string;
  /**
   * What the URLs in JSON answers (manifest, sphere descriptor) start with: nothing (paths,
   * for the API's own clients), or an origin under a share link, so that they work from a
   * page on any site.
   */
  origin?: string;
}

/**
 * The tile operations (getTile, getSharedTile) are declared on the controllers to document
 * them; TilePipeline answers every tile GET and HEAD before the router, so their handlers
 * never run. Should one run, that is a bug in how the pipeline is mounted: a 500 says so.
 */
export const ANSWERED_BY_TILE_PIPELINE = 'tile GETs are answered by TilePipeline, before the router';

/** Where a tile set's answers are reached with a bearer token: immutable tiles. */
export const tileSetPlace = (id: string): TileSetPlace => ({ basePath: `/v1/tilesets/${id}`, cacheControl: IMMUTABLE });

/**
 * Where a tile set's answers are reached through a share link; with `origin`, the URLs in
 * its JSON answers are absolute (a viewer on another site resolves a path against its own).
 */
export const sharedTileSetPlace = (token: string, id: string, access: ShareAccess, origin?: string): TileSetPlace => ({
  basePath: `/v1/s/${token}/tilesets/${id}`,
  cacheControl: shareCacheControl(access),
  origin,
});

/**
 * The read answers of a ready tile set (descriptors, tiles, manifest, archive, IIIF), written
 * once for both ways of reaching them: with a bearer token (TileSetsController) and through
 * a share link (SharedTileSetsController). The reader decides what is visible.
 */
@Injectable()
export class TileSetResponses {
  private readonly logger = new Logger(TileSetResponses.name);

  constructor(
    private readonly getManifest: GetTileManifestUseCase,
    private readonly readTile: ReadTileUseCase,
    private readonly iiif: IiifUseCase,
    private readonly metrics: Metrics,
    private readonly config: AppConfig,
    private readonly planArchive: PlanTileArchiveUseCase,
  ) {}

  async manifest(reader: Reader, id: string, query: ManifestQueryDto, place: TileSetPlace): Promise<TileManifestDto> {
    const { manifest, tileSet } = await this.getManifest.execute(reader, id);
    const { tiles, ...rest } = manifest;
    return {
      ...rest,
      layout: tileSet.layout,
      tileUrlTemplate: `${place.origin ?? ''}${place.basePath}/image_files/{level}/{col}_{row}.${manifest.format}`,
      deepZoomUrl: `${place.origin ?? ''}${place.basePath}/image.dzi`,
      ...(query.tiles ? { tiles } : {}),
    };
  }

  /** The sphere-layout tile set as Photo Sphere Viewer's tiles adapter reads it. */
  async sphere(reader: Reader, id: string, place: TileSetPlace): Promise<SphereDescriptorDto> {
    const { tileSet } = await this.getManifest.execute(reader, id);
    if (tileSet.layout !== 'sphere') throw new NotASphereError();
    const spec = tileSet.spec();
    return {
      tileSize: spec.tileSize,
      levels: sphereLevels(spec).map(({ width, cols, rows, level }) => ({ width, cols, rows, level })),
      tileUrlTemplate: `${place.origin ?? ''}${place.basePath}/image_files/{level}/{col}_{row}.${tileSet.format}`,
      baseUrl: `${place.origin ?? ''}${place.basePath}/iiif/full/${Math.min(2048, spec.width)},/0/default.jpg`,
    };
  }

  async deepZoom(reader: Reader, id: string, res: Response, place: TileSetPlace): Promise<void> {
    const { tileSet } = await this.getManifest.execute(reader, id);
    res.setHeader('Cache-Control', place.cacheControl);
    res.type('application/xml').send(deepZoomDescriptor(tileSet.spec(), tileSet.format));
  }

  async tile(
    reader: Reader,
    id: string,
    path: { level: string; tile: string },
    req: Request,
    res: Response,
    place: TileSetPlace,
  ): Promise<'served' | 'not_modified'> {
    const match = TILE_NAME.exec(path.tile);
    if (!/^\d{1,3}$/.test(path.level) || !match) {
      throw new RequestValidationError([
        { field: 'tile', message: 'tile path must be image_files/{level}/{col}_{row}.{format}' },
      ]);
    }
    let found;
    try {
      found = await this.readTile.execute(reader, {
        tileSetId: id,
        level: Number(path.level),
        col: Number(match[1]),
        row: Number(match[2]),
        extension: match[3],
      });
    } catch (error) {
      // Outside the pyramid stays outside: let caches keep the answer a day.
      if (error instanceof TileNotFoundError) res.setHeader('Cache-Control', 'private, max-age=86400');
      throw error;
    }
    return this.sendTile(found, req, res, place);
  }

  async archive(reader: Reader, id: string, res: Response): Promise<void> {
    const plan = await this.planArchive.execute(reader, id);
    await sendZip(
      res,
      plan.fileName,
      plan.files,
      (error, file) =>
        this.logger.error(
          { tileSetId: id, err: error },
          `Archive: ${file.name} ${error instanceof ObjectNotFoundError ? 'is missing' : 'could not be read'}`,
        ),
      plan.extras,
    );
  }

  /** The IIIF base URI redirects to its info.json (303), as the specification asks. */
  iiifBase(req: Request, res: Response): void {
    res.redirect(303, `${this.absolute(req).replace(/\/$/, '')}/info.json`);
  }

  async iiifInfo(reader: Reader, id: string, req: Request, res: Response, place: TileSetPlace): Promise<void> {
    const baseUri = this.absolute(req).replace(/\/info\.json$/, '');
    const info = await this.iiif.info(reader, id, baseUri);
    res.setHeader('Link', `<${IIIF_PROFILE_URI}>;rel="profile"`);
    sendJsonLd(req, res, info, IIIF_CONTEXT, place.cacheControl);
  }

  async iiifImage(
    reader: Reader,
    id: string,
    segments: { region: string; size: string; rotation: string; qualityFormat: string },
    req: Request,
    res: Response,
    place: TileSetPlace,
  ): Promise<void> {
    // A signal only for a render: a stored tile is answered at once.
    const answer = await this.iiif.image(reader, id, segments, () => whenClientGone(res));
    res.setHeader('Link', `<${IIIF_PROFILE_URI}>;rel="profile"`);
    if (answer.kind === 'tile') {
      this.metrics.count('iiif_images', { result: 'stored_tile' });
      await this.sendTile(answer.tile, req, res, place);
      return;
    }
    this.metrics.count('iiif_images', { result: 'rendered' });
    const etag = `"${createHash('sha256').update(answer.bytes).digest('base64url')}"`;
    res.setHeader('ETag', etag);
    res.setHeader('Cache-Control', place.cacheControl);
    if (ifNoneMatch(req.headers['if-none-match'], etag)) {
      res.status(304).end();
      return;
    }
    res.setHeader('Content-Type', IIIF_IMAGE_TYPES[answer.format]);
    res.setHeader('Content-Length', String(answer.bytes.length));
    res.end(answer.bytes);
  }

  private async sendTile(
    found: FoundTile,
    req: Request,
    res: Response,
    place: TileSetPlace,
  ): Promise<'served' | 'not_modified'> {
    const etag = `"${found.tile.sha256}"`;
    res.setHeader('ETag', etag);
    res.setHeader('Cache-Control', place.cacheControl);
    if (ifNoneMatch(req.headers['if-none-match'], etag)) {
      this.metrics.count('tiles_served', { result: 'not_modified' });
      res.status(304).end();
      return 'not_modified';
    }
    if (found.tile.bytes <= MAX_CACHED_TILE_BYTES) {
      const bytes = await found.load(); // from memory when it was served lately
      this.metrics.count('tiles_served', { result: 'served' });
      res.setHeader('Content-Type', TILE_CONTENT_TYPES[found.format]);
      res.setHeader('Content-Length', String(bytes.length));
      res.end(bytes);
      return 'served';
    }
    const object = await found.open();
    this.metrics.count('tiles_served', { result: 'served' });
    res.setHeader('Content-Type', TILE_CONTENT_TYPES[found.format]);
    res.setHeader('Content-Length', String(object.bytes));
    await pipeline(object.body, res).catch(() => undefined); // client gone: nothing to answer
    return 'served';
  }

  /** This request's URL, absolute (PUBLIC_BASE_URL when set, else as the client reached us), without its query. */
  absolute(req: Request): string {
    const path = req.originalUrl.split('?')[0];
    return `${this.origin(req)}${path}`;
  }

  /** An absolute URL for a path of this API. */
  absolutePath(req: Request, path: string): string {
    return `${this.origin(req)}${path}`;
  }

  /** PUBLIC_BASE_URL, or the origin the request reached. */
  origin(req: Request): string {
    return publicOrigin(this.config, req);
  }
}
