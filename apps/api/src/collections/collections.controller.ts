import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  HttpStatus,
  Logger,
  type MessageEvent,
  Patch,
  Post,
  Query,
  Req,
  Res,
  Sse,
} from '@nestjs/common';
import {
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiProduces,
  ApiTags,
} from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { distinctUntilChanged, map, Observable } from 'rxjs';
import { CollectionsUseCase, type CollectionStatus, CollectionWatch } from '#collections';
import { ARCHIVE_ORIGINALS, PlanArchiveUseCase } from '#renditions';
import type { Principal } from '#users';
import { PanoramaCatalogueUseCase } from '#workflows';
import { PageQueryDto } from '../common/page-query.dto.js';
import { sseContent } from '../common/sse.js';
import { UuidParam } from '../common/uuid-param.js';
import { CurrentPrincipal } from '../http/auth/auth.decorators.js';
import { ApiProblems } from '../http/problem/api-problems.decorator.js';
import { sendZip } from '../http/zip-stream.js';
import { listPanoramasInput, PanoramaFiltersQueryDto } from '../panoramas/dto/panorama-queries.dto.js';
import { PanoramaPageDto } from '../panoramas/dto/panorama.dto.js';
import {
  CollectionShareDto,
  CollectionShareListDto,
  CreateListedShareDto,
  UpdateShareDto,
} from '../share/dto/share-link.dto.js';
import { ShareLinkRoutes, ShareRoute, type ShareRouteSpec } from '../share/share-link-routes.js';
import { CollectionArchiveQueryDto } from './dto/collection-archive.dto.js';
import {
  CollectionDto,
  CollectionPageDto,
  CollectionPanoramasDto,
  CollectionStatusDto,
  CreateCollectionDto,
  UpdateCollectionDto,
} from './dto/collection.dto.js';

/** The share-link routes of a collection: what they say. */
const COLLECTION_SHARES: ShareRouteSpec = {
  path: ':id',
  notFound: 'COLLECTION_NOT_FOUND',
  dto: CollectionShareDto,
  listDto: CollectionShareListDto,
  docs: {
    create: {
      summary: 'Share a collection: a public page and a IIIF Collection of its panoramas, until the link expires',
      description:
        'Answers absolute URLs (PUBLIC_BASE_URL when set) of the public page, the collection as JSON ' +
        '(getSharedCollection) and its IIIF Collection. Through it, anyone sees the panoramas in the collection at ' +
        'the time of asking (added later: shown; taken out: no longer opens) with their tile sets and thumbnails. ' +
        'Always listed (listCollectionShares); revoking it ends every URL it handed out. Owners only.',
    },
    list: {
      summary: "This collection's active share links",
      description:
        'Links that are neither revoked nor expired, newest first, with their label, expiry, last use (to the minute) ' +
        'and URLs. Owners only.',
    },
    label: { summary: 'Label a share link of this collection', description: 'Owners only.' },
    revoke: {
      summary: 'Revoke one share link of this collection',
      description:
        "With it, every URL of the collection's panoramas it handed out. The others keep working. Takes effect on " +
        'every API instance within moments. Owners only.',
    },
    revokeAll: {
      summary: 'Revoke every share link of this collection',
      description: 'Takes effect on every API instance within moments. Links made afterwards work. Owners only.',
    },
  },
};

/**
 * Collections: named groups of your panoramas (a panorama can be in several), with a live
 * group status, a zip of the whole, and uploads straight into one (`collectionId` on every
 * upload route). Deleting a collection leaves its panoramas; deleting a panorama takes it out
 * of its collections.
 */
@ApiTags('collections')
@Controller('collections')
export class CollectionsController {
  private readonly logger = new Logger(CollectionsController.name);

  constructor(
    private readonly collections: CollectionsUseCase,
    private readonly watch: CollectionWatch,
    private readonly catalogue: PanoramaCatalogueUseCase,
    private readonly planArchive: PlanArchiveUseCase,
    private readonly shares: ShareLinkRoutes,
  ) {}

  @Post()
  @ApiOperation({ summary: 'Create a collection' })
  @ApiCreatedResponse({ type: CollectionDto })
  @ApiProblems('VALIDATION_FAILED', 'COLLECTION_LIMIT_REACHED')
  async createCollection(
    @CurrentPrincipal() principal: Principal,
    @Body() body: CreateCollectionDto,
  ): Promise<CollectionDto> {
    return CollectionDto.from(await this.collections.create(principal, { ...body, name: body.name.trim() }));
  }

  @Get()
  @ApiOperation({ summary: 'Your collections, newest first' })
  @ApiOkResponse({ type: CollectionPageDto })
  @ApiProblems('VALIDATION_FAILED', 'INVALID_CURSOR')
  async listCollections(
    @CurrentPrincipal() principal: Principal,
    @Query() query: PageQueryDto,
  ): Promise<CollectionPageDto> {
    const page = await this.collections.list(principal, { limit: query.limit, cursor: query.cursor });
    return { items: page.items.map((c) => CollectionDto.from(c)), nextCursor: page.nextCursor };
  }

  @Get(':id')
  @ApiOperation({ summary: 'A collection' })
  @ApiOkResponse({ type: CollectionDto })
  @ApiProblems('VALIDATION_FAILED', 'COLLECTION_NOT_FOUND')
  async getCollection(@CurrentPrincipal() principal: Principal, @UuidParam('id') id: string): Promise<CollectionDto> {
    return CollectionDto.from(await this.collections.get(principal, id));
  }

  @Patch(':id')
  @ApiOperation({ summary: 'Rename a collection or change its description' })
  @ApiOkResponse({ type: CollectionDto })
  @ApiProblems('VALIDATION_FAILED', 'COLLECTION_NOT_FOUND')
  async updateCollection(
    @CurrentPrincipal() principal: Principal,
    @UuidParam('id') id: string,
    @Body() body: UpdateCollectionDto,
  ): Promise<CollectionDto> {
    return CollectionDto.from(await this.collections.update(principal, id, { ...body, name: body.name?.trim() }));
  }

  @Delete(':id')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({ summary: 'Delete a collection (its panoramas stay)' })
  @ApiNoContentResponse({ description: 'Deleted.' })
  @ApiProblems('VALIDATION_FAILED', 'COLLECTION_NOT_FOUND')
  async deleteCollection(@CurrentPrincipal() principal: Principal, @UuidParam('id') id: string): Promise<void> {
    await this.collections.delete(principal, id);
  }

  @Post(':id/panoramas')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({
    summary: 'Add panoramas to a collection',
    description: 'Already in: kept. One that is not yours: 404 PANORAMA_NOT_FOUND and nothing is added.',
  })
  @ApiNoContentResponse({ description: 'Added.' })
  @ApiProblems('VALIDATION_FAILED', 'COLLECTION_NOT_FOUND', 'PANORAMA_NOT_FOUND', 'COLLECTION_FULL')
  async addCollectionPanoramas(
    @CurrentPrincipal() principal: Principal,
    @UuidParam('id') id: string,
    @Body() body: CollectionPanoramasDto,
  ): Promise<void> {
    await this.collections.add(principal, id, body.panoramaIds);
  }

  @Delete(':id/panoramas/:panoramaId')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({ summary: 'Take a panorama out of a collection (the panorama stays)' })
  @ApiNoContentResponse({ description: 'Not in the collection (any more).' })
  @ApiProblems('VALIDATION_FAILED', 'COLLECTION_NOT_FOUND')
  async removeCollectionPanorama(
    @CurrentPrincipal() principal: Principal,
    @UuidParam('id') id: string,
    @UuidParam('panoramaId') panoramaId: string,
  ): Promise<void> {
    await this.collections.remove(principal, id, [panoramaId]);
  }

  @Get(':id/panoramas')
  @ApiOperation({
    summary: "A collection's panoramas, newest first",
    description: 'Takes the filters of listPanoramas (title, tags, upload dates).',
  })
  @ApiOkResponse({ type: PanoramaPageDto })
  @ApiProblems('VALIDATION_FAILED', 'COLLECTION_NOT_FOUND', 'INVALID_CURSOR')
  async listCollectionPanoramas(
    @CurrentPrincipal() principal: Principal,
    @UuidParam('id') id: string,
    @Query() query: PanoramaFiltersQueryDto,
  ): Promise<PanoramaPageDto> {
    const { collection, panoramaIds } = await this.collections.members(principal, id);
    return PanoramaPageDto.from(
      await this.catalogue.list(principal, {
        ...listPanoramasInput(query),
        ownerId: collection.props.ownerId,
        ids: panoramaIds,
      }),
    );
  }

  @Get(':id/status')
  @ApiOperation({ summary: "A collection's panoramas, tile sets and renditions by status, and its progress" })
  @ApiOkResponse({ type: CollectionStatusDto })
  @ApiProblems('VALIDATION_FAILED', 'COLLECTION_NOT_FOUND')
  async getCollectionStatus(
    @CurrentPrincipal() principal: Principal,
    @UuidParam('id') id: string,
  ): Promise<CollectionStatusDto> {
    return CollectionStatusDto.from(await this.collections.status(principal, id));
  }

  @Sse(':id/events')
  @ApiOperation({
    summary: "Follow a collection's status as Server-Sent Events",
    description:
      'A `status` event (data: as getCollectionStatus) now and on every change (a member added or taken out, a tile set ' +
      'or rendition progressing or finishing); the stream stays open (collections grow) until you close it or the ' +
      'collection is deleted.',
  })
  @ApiOkResponse({
    description: 'An event stream of `status` events; each `data` is a CollectionStatusDto.',
    content: sseContent(CollectionStatusDto),
  })
  @ApiProblems('VALIDATION_FAILED', 'COLLECTION_NOT_FOUND')
  async streamCollectionEvents(
    @CurrentPrincipal() principal: Principal,
    @UuidParam('id') id: string,
  ): Promise<Observable<MessageEvent>> {
    await this.collections.get(principal, id); // 404 as a problem before the stream starts
    const key = (s: CollectionStatus) => JSON.stringify(CollectionStatusDto.from(s));
    return new Observable<CollectionStatus>((subscriber) =>
      this.watch.watch(id, {
        next: (status) => subscriber.next(status),
        gone: () => subscriber.complete(),
        error: (error) => subscriber.error(error),
      }),
    ).pipe(
      distinctUntilChanged((a, b) => key(a) === key(b)),
      map((status) => ({ type: 'status', data: CollectionStatusDto.from(status) })),
    );
  }

  @Get(':id/archive')
  @ApiOperation({
    summary: 'Download a collection as one zip',
    description:
      'As downloadPanoramasArchive, for every panorama of the collection (oldest addition first): a folder per ' +
      'panorama with the original and the ready renditions `include` names, and index.json. Streamed.',
  })
  @ApiProduces('application/zip')
  @ApiOkResponse({
    description: 'zip archive.',
    content: { 'application/zip': { schema: { type: 'string', format: 'binary' } } },
  })
  @ApiProblems('VALIDATION_FAILED', 'COLLECTION_NOT_FOUND', 'UNKNOWN_PRESET', 'STORAGE_UNAVAILABLE')
  async downloadCollectionArchive(
    @CurrentPrincipal() principal: Principal,
    @UuidParam('id') id: string,
    @Query() query: CollectionArchiveQueryDto,
    @Res() res: Response,
  ): Promise<void> {
    const { collection, panoramaIds: ids } = await this.collections.members(principal, id);
    const include = query.include ? query.include.split(',').map((s) => s.trim()) : [ARCHIVE_ORIGINALS];
    const plan = await this.planArchive.execute(principal, ids, include);
    const name = collection.props.name.replace(/[^\p{L}\p{N}._-]+/gu, '-').slice(0, 60) || 'collection';
    await sendZip(
      res,
      `${name}.zip`,
      plan.files,
      (error, file) => this.logger.error({ err: error }, `Archive: ${file.name} could not be read`),
      [
        {
          name: 'index.json',
          content: JSON.stringify({ collection: collection.props.name, panoramas: plan.index }, null, 2),
        },
      ],
    );
  }

  @ShareRoute.create(COLLECTION_SHARES)
  shareCollection(
    @CurrentPrincipal() principal: Principal,
    @UuidParam('id') id: string,
    @Body() body: CreateListedShareDto,
    @Req() req: Request,
  ): Promise<CollectionShareDto> {
    return this.shares.create('collection', principal, id, body, req);
  }

  @ShareRoute.list(COLLECTION_SHARES)
  listCollectionShares(
    @CurrentPrincipal() principal: Principal,
    @UuidParam('id') id: string,
    @Req() req: Request,
  ): Promise<CollectionShareListDto> {
    return this.shares.list('collection', principal, id, req);
  }

  @ShareRoute.label(COLLECTION_SHARES)
  updateCollectionShare(
    @CurrentPrincipal() principal: Principal,
    @UuidParam('id') id: string,
    @UuidParam('linkId') linkId: string,
    @Body() body: UpdateShareDto,
    @Req() req: Request,
  ): Promise<CollectionShareDto> {
    return this.shares.relabel('collection', principal, id, linkId, body.label, req);
  }

  @ShareRoute.revoke(COLLECTION_SHARES)
  revokeCollectionShare(
    @CurrentPrincipal() principal: Principal,
    @UuidParam('id') id: string,
    @UuidParam('linkId') linkId: string,
  ): Promise<void> {
    return this.shares.revoke('collection', principal, id, linkId);
  }

  @ShareRoute.revokeAll(COLLECTION_SHARES)
  revokeCollectionShares(@CurrentPrincipal() principal: Principal, @UuidParam('id') id: string): Promise<void> {
    return this.shares.revokeAll('collection', principal, id);
  }
}
