import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  HttpStatus,
  type MessageEvent,
  Param,
  Query,
  Req,
  Res,
  Sse,
} from '@nestjs/common';
import { ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { DeleteTileSetUseCase, GetTileSetUseCase, type TileSet, TileSetWatch } from '#tiles';
import type { Principal } from '#users';
import type { Observable } from 'rxjs';
import { sseContent, statusEvents } from '../common/sse.js';
import { UuidParam } from '../common/uuid-param.js';
import { CurrentPrincipal } from '../http/auth/auth.decorators.js';
import { ApiProblems } from '../http/problem/api-problems.decorator.js';
import { TileSetDto } from './dto/tile-set.dto.js';
import { CreateShareDto, TileSetShareDto, TileSetShareListDto, UpdateShareDto } from '../share/dto/share-link.dto.js';
import type { SphereDescriptorDto } from './dto/iiif.dto.js';
import { ManifestQueryDto, TileManifestDto } from './dto/tile-manifest.dto.js';
import {
  DocArchive,
  DocDeepZoom,
  DocIiifBase,
  DocIiifImage,
  DocIiifInfo,
  DocManifest,
  DocSphere,
  DocTile,
  TILE_SET_SHARES,
} from './tile-set-docs.js';
import { ANSWERED_BY_TILE_PIPELINE, tileSetPlace, TileSetResponses } from './tile-set-responses.js';
import { StaleOk } from '../http/read-replicas.interceptors.js';
import { ShareLinkRoutes, ShareRoute } from '../share/share-link-routes.js';

/** Where a tile set's answers are reached with a bearer token. */

@ApiTags('tilesets')
@Controller('tilesets')
export class TileSetsController {
  constructor(
    private readonly getOne: GetTileSetUseCase,
    private readonly remove: DeleteTileSetUseCase,
    private readonly shares: ShareLinkRoutes,
    private readonly responses: TileSetResponses,
    private readonly watch: TileSetWatch,
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
    content: sseContent(TileSetDto),
  })
  @ApiProblems('VALIDATION_FAILED', 'TILE_SET_NOT_FOUND')
  async streamTileSetEvents(
    @CurrentPrincipal() principal: Principal,
    @UuidParam('id') id: string,
  ): Promise<Observable<MessageEvent>> {
    await this.getOne.execute(principal, id); // 404 (and access) as a problem before the stream starts
    return statusEvents<TileSet>(
      (observer) => this.watch.watch(id, observer),
      (a, b) => a.status === b.status && a.progress === b.progress,
      (tileSet) => TileSetDto.from(tileSet),
    );
  }

  @Get(':id/manifest')
  @DocManifest()
  @StaleOk()
  getTileManifest(
    @CurrentPrincipal() principal: Principal,
    @UuidParam('id') id: string,
    @Query() query: ManifestQueryDto,
  ): Promise<TileManifestDto> {
    return this.responses.manifest(principal, id, query, tileSetPlace(id));
  }

  @Get(':id/sphere')
  @DocSphere()
  @StaleOk()
  getSphereDescriptor(
    @CurrentPrincipal() principal: Principal,
    @UuidParam('id') id: string,
  ): Promise<SphereDescriptorDto> {
    return this.responses.sphere(principal, id, tileSetPlace(id));
  }

  @Get(':id/image.dzi')
  @DocDeepZoom()
  @StaleOk()
  getDeepZoomDescriptor(
    @CurrentPrincipal() principal: Principal,
    @UuidParam('id') id: string,
    @Res() res: Response,
  ): Promise<void> {
    return this.responses.deepZoom(principal, id, res, tileSetPlace(id));
  }

  @Get(':id/image_files/:level/:tile')
  @DocTile()
  @StaleOk()
  getTile(@UuidParam('id') _id: string, @Param('level') _level: string, @Param('tile') _tile: string): never {
    throw new Error(ANSWERED_BY_TILE_PIPELINE);
  }

  @Get(':id/archive')
  @DocArchive()
  downloadTileArchive(
    @CurrentPrincipal() principal: Principal,
    @UuidParam('id') id: string,
    @Res() res: Response,
  ): Promise<void> {
    return this.responses.archive(principal, id, res);
  }

  @Get(':id/iiif')
  @DocIiifBase('VALIDATION_FAILED')
  getIiifBase(@UuidParam('id') _id: string, @Req() req: Request, @Res() res: Response): void {
    this.responses.iiifBase(req, res);
  }

  @Get(':id/iiif/info.json')
  @DocIiifInfo()
  @StaleOk()
  getIiifInfo(
    @CurrentPrincipal() principal: Principal,
    @UuidParam('id') id: string,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    return this.responses.iiifInfo(principal, id, req, res, tileSetPlace(id));
  }

  @Get(':id/iiif/:region/:size/:rotation/:qualityFormat')
  @DocIiifImage()
  @StaleOk()
  getIiifImage(
    @UuidParam('id') _id: string,
    @Param('region') _region: string,
    @Param('size') _size: string,
    @Param('rotation') _rotation: string,
    @Param('qualityFormat') _qualityFormat: string,
  ): never {
    throw new Error(ANSWERED_BY_TILE_PIPELINE);
  }

  @ShareRoute.create(TILE_SET_SHARES)
  shareTileSet(
    @CurrentPrincipal() principal: Principal,
    @UuidParam('id') id: string,
    @Body() body: CreateShareDto,
    @Req() req: Request,
  ): Promise<TileSetShareDto> {
    return this.shares.create('tileset', principal, id, body, req);
  }

  @ShareRoute.list(TILE_SET_SHARES)
  listTileSetShares(
    @CurrentPrincipal() principal: Principal,
    @UuidParam('id') id: string,
    @Req() req: Request,
  ): Promise<TileSetShareListDto> {
    return this.shares.list('tileset', principal, id, req);
  }

  @ShareRoute.label(TILE_SET_SHARES)
  updateTileSetShare(
    @CurrentPrincipal() principal: Principal,
    @UuidParam('id') id: string,
    @UuidParam('linkId') linkId: string,
    @Body() body: UpdateShareDto,
    @Req() req: Request,
  ): Promise<TileSetShareDto> {
    return this.shares.relabel('tileset', principal, id, linkId, body.label, req);
  }

  @ShareRoute.revoke(TILE_SET_SHARES)
  revokeTileSetShare(
    @CurrentPrincipal() principal: Principal,
    @UuidParam('id') id: string,
    @UuidParam('linkId') linkId: string,
  ): Promise<void> {
    return this.shares.revoke('tileset', principal, id, linkId);
  }

  @ShareRoute.revokeAll(TILE_SET_SHARES)
  revokeTileSetShares(@CurrentPrincipal() principal: Principal, @UuidParam('id') id: string): Promise<void> {
    return this.shares.revokeAll('tileset', principal, id);
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
