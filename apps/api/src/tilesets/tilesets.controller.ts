import { pipeline } from 'node:stream/promises';
import {
  Controller,
  Delete,
  Get,
  Header,
  HttpCode,
  HttpStatus,
  Logger,
  type MessageEvent,
  Param,
  Query,
  Req,
  Res,
  Sse,
} from '@nestjs/common';
import {
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiProduces,
  ApiResponse,
  ApiTags,
} from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { distinctUntilChanged, map, Observable, takeWhile } from 'rxjs';
import {
  deepZoomDescriptor,
  DeleteTileSetUseCase,
  GetTileManifestUseCase,
  GetTileSetUseCase,
  ReadTileUseCase,
  TILE_CONTENT_TYPES,
  type TileSet,
  TileSetWatch,
  TileNotFoundError,
  tileKey,
} from '#tiles';
import { Metrics, ObjectNotFoundError, ObjectStorage } from '#shared-kernel';
import type { Principal } from '#users';
import { SSE_SCHEMA } from '../common/sse.js';
import { UuidParam } from '../common/uuid-param.js';
import { ifNoneMatch } from '../http/conditional.js';
import { CurrentPrincipal } from '../http/auth/auth.decorators.js';
import { ApiProblems } from '../http/problem/api-problems.decorator.js';
import { RequestValidationError } from '../http/problem/request-validation.error.js';
import { ThrottleCategory } from '../http/throttling/throttle-category.js';
import { TileSetDto } from '../panoramas/dto/panorama.dto.js';
import { ManifestQueryDto, TileManifestDto } from './dto/tile-manifest.dto.js';
import { sendZip } from '../http/zip-stream.js';

const IMMUTABLE = 'private, max-age=31536000, immutable';
const TILE_NAME = /^(\d{1,7})_(\d{1,7})\.([a-z]{3,4})$/;

@ApiTags('tilesets')
@Controller('tilesets')
export class TileSetsController {
  private readonly logger = new Logger(TileSetsController.name);

  constructor(
    private readonly getOne: GetTileSetUseCase,
    private readonly getManifest: GetTileManifestUseCase,
    private readonly readTile: ReadTileUseCase,
    private readonly remove: DeleteTileSetUseCase,
    private readonly storage: ObjectStorage,
    private readonly watch: TileSetWatch,
    private readonly metrics: Metrics,
  ) {}

  @Get(':id')
  @ApiOperation({ summary: 'A tile set: status, progress, options, size' })
  @ApiOkResponse({ type: TileSetDto })
  @ApiProblems('VALIDATION_FAILED', 'TILE_SET_NOT_FOUND')
  async getTileSet(@CurrentPrincipal() principal: Principal, @UuidParam('id') id: string): Promise<TileSetDto> {
    return TileSetDto.from(await this.getOne.execute(principal, id));
  }

  @Sse(':id/events')
  @ApiOperation({
    summary: 'Follow a tile set as Server-Sent Events',
    description:
      'Sends the tile set (as in getTileSet) whenever its status or progress changes: `progress` events, then one `ready` or ' +
      '`failed` event, and the stream ends. A tile set already finished gets its final event at once.',
  })
  @ApiOkResponse({
    description: 'An event stream: `progress` events, then one `ready` or `failed` event; each `data` is a TileSetDto.',
    content: { 'text/event-stream': { schema: SSE_SCHEMA } },
  })
  @ApiProblems('VALIDATION_FAILED', 'TILE_SET_NOT_FOUND')
  async streamTileSetEvents(
    @CurrentPrincipal() principal: Principal,
    @UuidParam('id') id: string,
  ): Promise<Observable<MessageEvent>> {
    await this.getOne.execute(principal, id); // 404 (and access) as a problem before the stream starts
    const changes = new Observable<TileSet>((subscriber) =>
      this.watch.watch(id, {
        next: (tileSet) => subscriber.next(tileSet),
        gone: () => subscriber.complete(),
        error: (error) => subscriber.error(error),
      }),
    );
    return changes.pipe(
      distinctUntilChanged((a, b) => a.status === b.status && a.progress === b.progress),
      takeWhile((tileSet) => !tileSet.isFinished(), true),
      map((tileSet) => ({ type: tileSet.isFinished() ? tileSet.status : 'progress', data: TileSetDto.from(tileSet) })),
    );
  }

  @Get(':id/manifest')
  @ApiOperation({
    summary: 'Levels, sizes and tile URLs of a ready tile set (with ?tiles=true, every tile and its SHA-256)',
  })
  @ApiOkResponse({ type: TileManifestDto })
  @ApiProblems('VALIDATION_FAILED', 'TILE_SET_NOT_FOUND', 'TILE_SET_NOT_READY')
  async getTileManifest(
    @CurrentPrincipal() principal: Principal,
    @UuidParam('id') id: string,
    @Query() query: ManifestQueryDto,
  ): Promise<TileManifestDto> {
    const { manifest } = await this.getManifest.execute(principal, id);
    const { tiles, ...rest } = manifest;
    return {
      ...rest,
      tileUrlTemplate: `/v1/tilesets/${id}/image_files/{level}/{col}_{row}.${manifest.format}`,
      deepZoomUrl: `/v1/tilesets/${id}/image.dzi`,
      ...(query.tiles ? { tiles } : {}),
    };
  }

  @Get(':id/image.dzi')
  @ThrottleCategory('tiles')
  @Header('Cache-Control', IMMUTABLE)
  @ApiOperation({
    summary: 'Deep Zoom descriptor (DZI)',
    description:
      'Point a Deep Zoom viewer here; it finds the tiles at image_files/{level}/{col}_{row}.{format} beside it.',
  })
  @ApiProduces('application/xml')
  @ApiOkResponse({ description: 'DZI XML.', content: { 'application/xml': { schema: { type: 'string' } } } })
  @ApiProblems('VALIDATION_FAILED', 'TILE_SET_NOT_FOUND', 'TILE_SET_NOT_READY')
  async getDeepZoomDescriptor(
    @CurrentPrincipal() principal: Principal,
    @UuidParam('id') id: string,
    @Res() res: Response,
  ): Promise<void> {
    const { tileSet } = await this.getManifest.execute(principal, id);
    res.type('application/xml').send(deepZoomDescriptor(tileSet.spec(), tileSet.format));
  }

  @Get(':id/image_files/:level/:tile')
  @ThrottleCategory('tiles')
  @ApiOperation({
    summary: 'One tile',
    description:
      "Strong ETag (the tile's SHA-256), immutable caching, 304 on If-None-Match. Coordinates outside the pyramid: a cacheable 404. " +
      'A tile set not ready yet: 409.',
  })
  @ApiParam({
    name: 'level',
    schema: { type: 'string', pattern: '^\\d{1,3}$' },
    description: 'Pyramid level; level 0 is one pixel.',
    example: '12',
  })
  @ApiParam({
    name: 'tile',
    schema: { type: 'string', pattern: '^\\d{1,7}_\\d{1,7}\\.(jpeg|png|webp)$' },
    description: '{col}_{row}.{format}, as the DZI names tiles.',
    example: '3_2.jpeg',
  })
  @ApiOkResponse({
    description: 'The tile.',
    content: Object.fromEntries(
      Object.values(TILE_CONTENT_TYPES).map((type) => [type, { schema: { type: 'string', format: 'binary' } }]),
    ),
  })
  @ApiResponse({ status: 304, description: 'Not modified.' })
  @ApiProblems('VALIDATION_FAILED', 'TILE_SET_NOT_FOUND', 'TILE_SET_NOT_READY', 'TILE_NOT_FOUND', 'STORAGE_UNAVAILABLE')
  async getTile(
    @CurrentPrincipal() principal: Principal,
    @UuidParam('id') id: string,
    @Param('level') levelParam: string,
    @Param('tile') tileParam: string,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    const match = TILE_NAME.exec(tileParam);
    if (!/^\d{1,3}$/.test(levelParam) || !match) {
      throw new RequestValidationError([
        { field: 'tile', message: 'tile path must be image_files/{level}/{col}_{row}.{format}' },
      ]);
    }
    let found;
    try {
      found = await this.readTile.execute(principal, {
        tileSetId: id,
        level: Number(levelParam),
        col: Number(match[1]),
        row: Number(match[2]),
        extension: match[3],
      });
    } catch (error) {
      // Outside the pyramid stays outside: let caches keep the answer a day.
      if (error instanceof TileNotFoundError) res.setHeader('Cache-Control', 'private, max-age=86400');
      throw error;
    }
    const etag = `"${found.tile.sha256}"`;
    res.setHeader('ETag', etag);
    res.setHeader('Cache-Control', IMMUTABLE);
    if (ifNoneMatch(req.headers['if-none-match'], etag)) {
      this.metrics.count('tiles_served', { result: 'not_modified' });
      res.status(304).end();
      return;
    }
    this.metrics.count('tiles_served', { result: 'served' });
    const object = await found.open();
    res.setHeader('Content-Type', TILE_CONTENT_TYPES[found.format]);
    res.setHeader('Content-Length', String(object.bytes));
    await pipeline(object.body, res).catch(() => undefined); // client gone: nothing to answer
  }

  @Get(':id/archive')
  @ApiOperation({
    summary: 'The whole tile set as a zip (image.dzi + image_files/...)',
    description:
      'Streamed as it is read from storage: never built in memory or on disk. Tiles are stored uncompressed (they already are).',
  })
  @ApiProduces('application/zip')
  @ApiOkResponse({
    description: 'zip archive.',
    content: { 'application/zip': { schema: { type: 'string', format: 'binary' } } },
  })
  @ApiProblems('VALIDATION_FAILED', 'TILE_SET_NOT_FOUND', 'TILE_SET_NOT_READY', 'STORAGE_UNAVAILABLE')
  async downloadTileArchive(
    @CurrentPrincipal() principal: Principal,
    @UuidParam('id') id: string,
    @Res() res: Response,
  ): Promise<void> {
    const { tileSet, manifest } = await this.getManifest.execute(principal, id);
    await sendZip(
      res,
      `tileset-${id}.zip`,
      manifest.tiles.map((tile) => ({
        name: `image_files/${tile.path}`,
        bytes: tile.bytes,
        open: () => this.storage.get(tileKey(id, tile.path)),
      })),
      (error, file) =>
        this.logger.error(
          { tileSetId: id, err: error },
          `Archive: ${file.name} ${error instanceof ObjectNotFoundError ? 'is missing' : 'could not be read'}`,
        ),
      [{ name: 'image.dzi', content: deepZoomDescriptor(tileSet.spec(), tileSet.format) }],
    );
  }

  @Delete(':id')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({ summary: 'Delete a tile set and all its tiles' })
  @ApiNoContentResponse({ description: 'Deleted.' })
  @ApiProblems('VALIDATION_FAILED', 'TILE_SET_NOT_FOUND', 'STORAGE_UNAVAILABLE')
  async deleteTileSet(@CurrentPrincipal() principal: Principal, @UuidParam('id') id: string): Promise<void> {
    await this.remove.execute(principal, id);
  }
}
