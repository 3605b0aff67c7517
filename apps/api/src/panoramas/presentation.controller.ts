import { Controller, Get, Param, Query, Req, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { DescribePanoramaUseCase, ListPanoramasUseCase } from '#panoramas';
import { RENDITION_CONTENT_TYPES } from '#renditions';
import { PanoramaCatalogueUseCase } from '#workflows';
import type { Principal } from '#users';
import { PageQueryDto } from '../common/page-query.dto.js';
import { UuidParam } from '../common/uuid-param.js';
import { CurrentPrincipal } from '../http/auth/auth.decorators.js';
import { ApiProblems } from '../http/problem/api-problems.decorator.js';
import { StaleOk } from '../http/read-replicas.interceptors.js';
import { CurrentShare, SharedResource, type ShareAccess, shareCacheControl } from '../share/share-link.guard.js';
import { SHARE_PROBLEMS } from '../share/share-problems.js';
import { TileSetResponses } from '../tilesets/tile-set-responses.js';
import {
  PRESENTATION_SCHEMA,
  presentationCollection,
  presentationManifest,
  sendPresentation,
} from './iiif-presentation.js';

/**
 * IIIF Presentation API 3.0 for the signed-in owner: a Manifest per panorama (what Mirador
 * and Universal Viewer open) and a Collection of the caller's panoramas. The same Manifest
 * under a share link: SharedPresentationController.
 */
@ApiTags('iiif')
@Controller()
export class PresentationController {
  constructor(
    private readonly catalogue: PanoramaCatalogueUseCase,
    private readonly list: ListPanoramasUseCase,
    private readonly responses: TileSetResponses,
  ) {}

  @Get('panoramas/:id/iiif-manifest')
  @ApiOperation({
    summary: 'IIIF Presentation 3 manifest of a panorama',
    description:
      'One canvas painted with the ready flat tile set, its IIIF Image service attached; label, summary, metadata, a ' +
      'thumbnail (the thumb preset when ready), the DZI as seeAlso. Its URLs need your bearer token: to open it in ' +
      "Mirador or Universal Viewer on another site, use a share link's iiifManifestUrl. JSON-LD when asked " +
      '(Accept: application/ld+json).',
  })
  @ApiProduces('application/json', 'application/ld+json')
  @ApiOkResponse({ schema: PRESENTATION_SCHEMA })
  @ApiProblems('VALIDATION_FAILED', 'PANORAMA_NOT_FOUND', 'TILE_SET_NOT_READY')
  async getPanoramaManifest(
    @CurrentPrincipal() principal: Principal,
    @UuidParam('id') id: string,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    const { panorama, tileSet, thumbnail: thumb } = await this.catalogue.describe(principal, id);
    const origin = this.responses.origin(req);
    const imageService = `${origin}/v1/tilesets/${tileSet.id}/iiif`;
    const manifest = presentationManifest({
      manifestUrl: `${origin}/v1/panoramas/${id}/iiif-manifest`,
      imageService,
      dziUrl: `${origin}/v1/tilesets/${tileSet.id}/image.dzi`,
      homepage: `${origin}/app#/p/${id}`,
      panorama,
      tileSet,
      ...(thumb
        ? {
            thumbnail: {
              url: `${origin}/v1/renditions/${thumb.id}/file`,
              format: RENDITION_CONTENT_TYPES[thumb.format],
              width: thumb.width,
              height: thumb.height,
            },
          }
        : {}),
    });
    sendPresentation(req, res, manifest, 'private, no-cache');
  }

  @Get('iiif/collection')
  @StaleOk()
  @ApiOperation({
    summary: 'IIIF Presentation 3 collection of your panoramas',
    description:
      'Your panoramas, newest first, as a IIIF Collection of their manifests (getPanoramaManifest); `limit` per page, ' +
      'the next page as a nested Collection at the end.',
  })
  @ApiProduces('application/json', 'application/ld+json')
  @ApiOkResponse({ schema: PRESENTATION_SCHEMA })
  @ApiProblems('VALIDATION_FAILED', 'INVALID_CURSOR')
  async getPanoramaCollection(
    @CurrentPrincipal() principal: Principal,
    @Query() query: PageQueryDto,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    const page = await this.list.execute(principal, { limit: query.limit, cursor: query.cursor });
    const origin = this.responses.origin(req);
    const here = (cursor?: string) =>
      `${origin}/v1/iiif/collection?limit=${query.limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
    const collection = presentationCollection(
      here(query.cursor),
      { en: 'Your panoramas' },
      page.items.map(({ panorama }) => ({
        manifestUrl: `${origin}/v1/panoramas/${panorama.id}/iiif-manifest`,
        title: panorama.title,
      })),
      page.nextCursor ? here(page.nextCursor) : undefined,
    );
    sendPresentation(req, res, collection, 'private, no-cache');
  }
}

/**
 * The Manifest of a shared tile set's panorama, under the link (beside the tile set's other
 * shared routes, SharedTileSetsController): it names only the link's URLs.
 */
@SharedResource('tileset')
@Controller('s/:token/tilesets')
export class SharedPresentationController {
  constructor(
    private readonly describe: DescribePanoramaUseCase,
    private readonly responses: TileSetResponses,
  ) {}

  @Get(':id/iiif-manifest')
  @ApiOperation({
    summary: 'IIIF Presentation 3 manifest of the shared panorama',
    description:
      "As getPanoramaManifest, with only this link's URLs in it (image service, thumbnail, DZI, the public page): " +
      'Mirador or Universal Viewer open it on any site, with no account, until the link expires or is revoked.',
  })
  @ApiProduces('application/json', 'application/ld+json')
  @ApiOkResponse({ schema: PRESENTATION_SCHEMA })
  @ApiProblems('VALIDATION_FAILED', 'TILE_SET_NOT_FOUND', 'TILE_SET_NOT_READY', ...SHARE_PROBLEMS)
  async getSharedPanoramaManifest(
    @CurrentShare() access: ShareAccess,
    @Param('token') token: string,
    @UuidParam('id') id: string,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    const { panorama, tileSet } = await this.describe.forTileSetReader(access.grant, id);
    const base = this.responses.absolutePath(req, `/v1/s/${token}/tilesets/${id}`);
    const manifest = presentationManifest({
      manifestUrl: `${base}/iiif-manifest`,
      imageService: `${base}/iiif`,
      dziUrl: `${base}/image.dzi`,
      homepage: this.responses.absolutePath(req, `/s/${token}/tilesets/${id}`),
      panorama,
      tileSet,
    });
    sendPresentation(req, res, manifest, shareCacheControl(access));
  }
}
