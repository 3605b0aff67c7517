import { Controller, Get, Param, Query, Req, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProduces } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { RENDITION_CONTENT_TYPES } from '#renditions';
import { readyTileSet } from '#tiles';
import { PanoramaCatalogueUseCase, readyThumbnail } from '#workflows';
import { PageQueryDto } from '../common/page-query.dto.js';
import { UuidParam } from '../common/uuid-param.js';
import { ApiProblems } from '../http/problem/api-problems.decorator.js';
import { PRESENTATION_SCHEMA, presentationCollection, sendPresentation } from '../panoramas/iiif-presentation.js';
import { listPanoramasInput, PanoramaFiltersQueryDto } from '../panoramas/dto/panorama-queries.dto.js';
import { ShareLinkAnswers } from '../share/share-link-answers.js';
import { CurrentShare, SharedResource, type ShareAccess } from '../share/share-link.guard.js';
import { SHARE_PROBLEMS } from '../share/share-problems.js';
import { TileSetResponses } from '../tilesets/tile-set-responses.js';
import { type MemberBase, SharedCollectionDto } from './dto/shared-collection.dto.js';

/**
 * A collection under its share link (see shareCollection), for anyone holding it: the
 * collection with its panoramas (each panorama's tile sets and thumbnail under URLs of
 * their own, signed for the link and the collection) and its IIIF Collection. Its members
 * are reached through those URLs until the link expires or is revoked, or the panorama is
 * taken out of the collection. Answers change as the collection does: revalidated, not kept.
 */
@SharedResource('collection')
@Controller('s/:token/collections')
export class SharedCollectionsController {
  constructor(
    private readonly catalogue: PanoramaCatalogueUseCase,
    private readonly answers: ShareLinkAnswers,
    private readonly responses: TileSetResponses,
  ) {}

  @Get(':id')
  @ApiOperation({
    summary: 'A shared collection and its panoramas',
    description:
      'Its name and description and a page of its panoramas (newest first; the filters of listPanoramas), each with ' +
      'its tile sets (Deep Zoom, IIIF, manifest, public page) and thumbnail under URLs that work while it stays in ' +
      'the collection and the link lives.',
  })
  @ApiOkResponse({ type: SharedCollectionDto })
  @ApiProblems('VALIDATION_FAILED', 'COLLECTION_NOT_FOUND', 'INVALID_CURSOR', ...SHARE_PROBLEMS)
  async getSharedCollection(
    @CurrentShare() access: ShareAccess,
    @Param('token') token: string,
    @UuidParam('id') id: string,
    @Query() query: PanoramaFiltersQueryDto,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ): Promise<SharedCollectionDto> {
    const { collection, page } = await this.catalogue.sharedCollection(access.grant, id, listPanoramasInput(query));
    const origin = this.responses.origin(req);
    res.setHeader('Cache-Control', 'private, no-cache');
    return SharedCollectionDto.from(
      collection,
      page,
      { base: `${origin}/v1/s/${token}/collections/${id}`, expiresAt: access.expiresAt },
      this.memberBase(access, origin),
    );
  }

  @Get(':id/iiif-collection')
  @ApiOperation({
    summary: 'IIIF Presentation 3 collection of a shared collection',
    description:
      'The manifests of its panoramas that have a ready flat tile set (newest first, with their thumbnails), under ' +
      "this link's URLs: Mirador opens it on any site, with no account. `limit` per page, the next page as a nested " +
      'Collection at the end. JSON-LD when asked (Accept: application/ld+json).',
  })
  @ApiProduces('application/json', 'application/ld+json')
  @ApiOkResponse({ schema: PRESENTATION_SCHEMA })
  @ApiProblems('VALIDATION_FAILED', 'COLLECTION_NOT_FOUND', 'INVALID_CURSOR', ...SHARE_PROBLEMS)
  async getSharedIiifCollection(
    @CurrentShare() access: ShareAccess,
    @Param('token') token: string,
    @UuidParam('id') id: string,
    @Query() query: PageQueryDto,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    const { collection, page } = await this.catalogue.sharedCollection(access.grant, id, {
      limit: query.limit,
      cursor: query.cursor,
    });
    const origin = this.responses.origin(req);
    const member = this.memberBase(access, origin);
    const here = (cursor?: string) =>
      `${origin}/v1/s/${token}/collections/${id}/iiif-collection?limit=${query.limit}` +
      (cursor ? `&cursor=${encodeURIComponent(cursor)}` : '');
    const items = page.items.flatMap(({ panorama, tileSets, renditions }) => {
      const flat = readyTileSet(tileSets);
      const base = flat && member('tileset', flat);
      if (!base) return [];
      const thumb = readyThumbnail(renditions);
      const thumbBase = thumb && member('rendition', thumb);
      return [
        {
          manifestUrl: `${base}/iiif-manifest`,
          title: panorama.title,
          ...(thumb && thumbBase
            ? {
                thumbnail: {
                  url: `${thumbBase}/file`,
                  format: RENDITION_CONTENT_TYPES[thumb.format],
                  width: thumb.width,
                  height: thumb.height,
                },
              }
            : {}),
        },
      ];
    });
    const resource = presentationCollection(
      here(query.cursor),
      { typed: collection.props.name },
      items,
      page.nextCursor ? here(page.nextCursor) : undefined,
    );
    sendPresentation(req, res, resource, 'private, no-cache');
  }

  private memberBase(access: ShareAccess, origin: string): MemberBase {
    return (kind, member) => this.answers.member(access, kind, member, origin);
  }
}
