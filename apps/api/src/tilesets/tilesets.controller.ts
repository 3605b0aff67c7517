import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  HttpStatus,
  type MessageEvent,
  Param,
  Patch,
  Post,
  Query,
  Req,
  Res,
  Sse,
} from '@nestjs/common';
import { ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { ShareLinksUseCase } from '#sharing';
import { DeleteTileSetUseCase, GetTileSetUseCase, type TileSet, TileSetWatch } from '#tiles';
import type { Principal } from '#users';
import type { Observable } from 'rxjs';
import { SSE_SCHEMA, statusEvents } from '../common/sse.js';
import { UuidParam } from '../common/uuid-param.js';
import { CurrentPrincipal } from '../http/auth/auth.decorators.js';
import { ApiProblems } from '../http/problem/api-problems.decorator.js';
import { TileSetDto } from './dto/tile-set.dto.js';
import { CreateShareDto, TileSetShareDto, TileSetShareListDto, UpdateShareDto } from '../share/dto/share-link.dto.js';
import { listedLink, ShareLinkAnswers } from '../share/share-link-answers.js';
import { ShareLinks } from '../share/share-links.js';
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
} from './tile-set-docs.js';
import { ANSWERED_BY_TILE_PIPELINE, tileSetPlace, TileSetResponses } from './tile-set-responses.js';
import { StaleOk } from '../http/read-replicas.interceptors.js';

/** Where a tile set's answers are reached with a bearer token. */

@ApiTags('tilesets')
@Controller('tilesets')
export class TileSetsController {
  constructor(
    private readonly getOne: GetTileSetUseCase,
    private readonly remove: DeleteTileSetUseCase,
    private readonly sharing: ShareLinksUseCase,
    private readonly links: ShareLinks,
    private readonly shareAnswers: ShareLinkAnswers,
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
    content: { 'text/event-stream': { schema: SSE_SCHEMA } },
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
    @CurrentPrincipal() principal: Principal,
    @UuidParam('id') id: string,
    @Param('region') region: string,
    @Param('size') size: string,
    @Param('rotation') rotation: string,
    @Param('qualityFormat') qualityFormat: string,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    return this.responses.iiifImage(
      principal,
      id,
      { region, size, rotation, qualityFormat },
      req,
      res,
      tileSetPlace(id),
    );
  }

  @Post(':id/share')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({
    summary: 'Make a share link: read access to this tile set, without a token, until it expires',
    description:
      'Answers absolute URLs (PUBLIC_BASE_URL when set) of the Deep Zoom descriptor, the IIIF base URI, the IIIF ' +
      'Presentation manifest and the archive under a signed path prefix that viewers keep when they derive tile URLs. ' +
      'The link is listed (listTileSetShares) with its label and last use, and can be revoked alone ' +
      '(revokeTileSetShare) or with every other (revokeTileSetShares). Owners only.',
  })
  @ApiOkResponse({ type: TileSetShareDto })
  @ApiProblems('VALIDATION_FAILED', 'TILE_SET_NOT_FOUND', 'SHARE_LINK_LIMIT_REACHED')
  async shareTileSet(
    @CurrentPrincipal() principal: Principal,
    @UuidParam('id') id: string,
    @Body() body: CreateShareDto,
    @Req() req: Request,
  ): Promise<TileSetShareDto> {
    const made = await this.sharing.create(principal, 'tileset', id, { ...body, keyId: this.links.signingKeyId() });
    return this.shareAnswers.tileSet(made, req)!;
  }

  @Get(':id/shares')
  @ApiOperation({
    summary: "This tile set's active share links",
    description:
      'Listed links that are neither revoked nor expired, newest first, with their label, expiry, last use (to the ' +
      'minute) and URLs. Unlisted links (listed: false) are not here. Owners only.',
  })
  @ApiOkResponse({ type: TileSetShareListDto })
  @ApiProblems('VALIDATION_FAILED', 'TILE_SET_NOT_FOUND')
  async listTileSetShares(
    @CurrentPrincipal() principal: Principal,
    @UuidParam('id') id: string,
    @Req() req: Request,
  ): Promise<TileSetShareListDto> {
    const links = await this.sharing.list(principal, 'tileset', id);
    return {
      items: links.flatMap((link) => this.shareAnswers.tileSet(listedLink(link), req) ?? []),
    };
  }

  @Patch(':id/shares/:linkId')
  @ApiOperation({ summary: 'Label a share link of this tile set', description: 'Owners only.' })
  @ApiOkResponse({ type: TileSetShareDto })
  @ApiProblems('VALIDATION_FAILED', 'TILE_SET_NOT_FOUND', 'SHARE_LINK_NOT_FOUND')
  async updateTileSetShare(
    @CurrentPrincipal() principal: Principal,
    @UuidParam('id') id: string,
    @UuidParam('linkId') linkId: string,
    @Body() body: UpdateShareDto,
    @Req() req: Request,
  ): Promise<TileSetShareDto> {
    const link = await this.sharing.relabel(principal, 'tileset', id, linkId, body.label);
    return this.shareAnswers.tileSet(listedLink(link), req)!;
  }

  @Delete(':id/shares/:linkId')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({
    summary: 'Revoke one share link of this tile set',
    description: 'The others keep working. Takes effect on every API instance within moments. Owners only.',
  })
  @ApiNoContentResponse({ description: 'Revoked.' })
  @ApiProblems('VALIDATION_FAILED', 'TILE_SET_NOT_FOUND', 'SHARE_LINK_NOT_FOUND')
  async revokeTileSetShare(
    @CurrentPrincipal() principal: Principal,
    @UuidParam('id') id: string,
    @UuidParam('linkId') linkId: string,
  ): Promise<void> {
    await this.sharing.revoke(principal, 'tileset', id, linkId);
  }

  @Delete(':id/share')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({
    summary: 'Revoke every share link of this tile set',
    description:
      'Listed and unlisted. Takes effect on every API instance within moments. Links made afterwards work. Owners only.',
  })
  @ApiNoContentResponse({ description: 'Revoked.' })
  @ApiProblems('VALIDATION_FAILED', 'TILE_SET_NOT_FOUND')
  async revokeTileSetShares(@CurrentPrincipal() principal: Principal, @UuidParam('id') id: string): Promise<void> {
    await this.sharing.revokeAll(principal, 'tileset', id);
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
