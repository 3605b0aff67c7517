import { Controller, Get, Param, Query, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { UuidParam } from '../common/uuid-param.js';
import type { SphereDescriptorDto } from './dto/iiif.dto.js';
import { ManifestQueryDto, type TileManifestDto } from './dto/tile-manifest.dto.js';
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
import { SHARE_PROBLEMS } from '../share/share-problems.js';
import { ANSWERED_BY_TILE_PIPELINE, sharedTileSetPlace, TileSetResponses } from './tile-set-responses.js';
import { CurrentShare, SharedResource, type ShareAccess } from '../share/share-link.guard.js';

/**
 * A tile set's read routes under a share link (see shareTileSet): the same answers as with
 * a bearer token, for whoever holds the link, until it expires or is revoked.
 */
@SharedResource('tileset')
@Controller('s/:token/tilesets')
export class SharedTileSetsController {
  constructor(private readonly responses: TileSetResponses) {}

  @Get(':id/manifest')
  @DocManifest(...SHARE_PROBLEMS)
  getSharedTileManifest(
    @CurrentShare() access: ShareAccess,
    @Param('token') token: string,
    @UuidParam('id') id: string,
    @Query() query: ManifestQueryDto,
    @Req() req: Request,
  ): Promise<TileManifestDto> {
    const place = sharedTileSetPlace(token, id, access, this.responses.origin(req));
    return this.responses.manifest(access.grant, id, query, place);
  }

  @Get(':id/sphere')
  @DocSphere(...SHARE_PROBLEMS)
  getSharedSphereDescriptor(
    @CurrentShare() access: ShareAccess,
    @Param('token') token: string,
    @UuidParam('id') id: string,
    @Req() req: Request,
  ): Promise<SphereDescriptorDto> {
    return this.responses.sphere(access.grant, id, sharedTileSetPlace(token, id, access, this.responses.origin(req)));
  }

  @Get(':id/image.dzi')
  @DocDeepZoom(...SHARE_PROBLEMS)
  getSharedDeepZoomDescriptor(
    @CurrentShare() access: ShareAccess,
    @Param('token') token: string,
    @UuidParam('id') id: string,
    @Res() res: Response,
  ): Promise<void> {
    return this.responses.deepZoom(access.grant, id, res, sharedTileSetPlace(token, id, access));
  }

  @Get(':id/image_files/:level/:tile')
  @DocTile(...SHARE_PROBLEMS)
  getSharedTile(
    @Param('token') _token: string,
    @UuidParam('id') _id: string,
    @Param('level') _level: string,
    @Param('tile') _tile: string,
  ): never {
    throw new Error(ANSWERED_BY_TILE_PIPELINE);
  }

  @Get(':id/archive')
  @DocArchive(...SHARE_PROBLEMS)
  downloadSharedTileArchive(
    @CurrentShare() access: ShareAccess,
    @UuidParam('id') id: string,
    @Res() res: Response,
  ): Promise<void> {
    return this.responses.archive(access.grant, id, res);
  }

  @Get(':id/iiif')
  @DocIiifBase('VALIDATION_FAILED', ...SHARE_PROBLEMS)
  getSharedIiifBase(@UuidParam('id') _id: string, @Req() req: Request, @Res() res: Response): void {
    this.responses.iiifBase(req, res);
  }

  @Get(':id/iiif/info.json')
  @DocIiifInfo(...SHARE_PROBLEMS)
  getSharedIiifInfo(
    @CurrentShare() access: ShareAccess,
    @Param('token') token: string,
    @UuidParam('id') id: string,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    return this.responses.iiifInfo(access.grant, id, req, res, sharedTileSetPlace(token, id, access));
  }

  @Get(':id/iiif/:region/:size/:rotation/:qualityFormat')
  @DocIiifImage(...SHARE_PROBLEMS)
  getSharedIiifImage(
    @Param('token') _token: string,
    @UuidParam('id') _id: string,
    @Param('region') _region: string,
    @Param('size') _size: string,
    @Param('rotation') _rotation: string,
    @Param('qualityFormat') _qualityFormat: string,
  ): never {
    throw new Error(ANSWERED_BY_TILE_PIPELINE);
  }
}
