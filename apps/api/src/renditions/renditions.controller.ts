import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  HttpStatus,
  type MessageEvent,
  Post,
  Req,
  Res,
  Sse,
} from '@nestjs/common';
import { ApiAcceptedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import {
  CreateRenditionUseCase,
  DeleteRenditionUseCase,
  GetRenditionUseCase,
  ListRenditionsUseCase,
  ReadRenditionFileUseCase,
  type Rendition,
  RenditionWatch,
} from '#renditions';
import type { Principal } from '#users';
import type { Observable } from 'rxjs';
import { sseContent, statusEvents } from '../common/sse.js';
import { UuidParam } from '../common/uuid-param.js';
import { CurrentPrincipal } from '../http/auth/auth.decorators.js';
import { ApiProblems } from '../http/problem/api-problems.decorator.js';
import {
  CreateShareDto,
  RenditionShareDto,
  RenditionShareListDto,
  UpdateShareDto,
} from '../share/dto/share-link.dto.js';
import { CreateRenditionDto, RenditionDto } from './dto/rendition.dto.js';
import { DocRenditionFile, sendRendition } from './rendition-file.js';
import { ShareLinkRoutes, ShareRoute } from '../share/share-link-routes.js';
import { RENDITION_SHARES } from './rendition-shares.js';

@ApiTags('renditions')
@Controller()
export class RenditionsController {
  constructor(
    private readonly create: CreateRenditionUseCase,
    private readonly list: ListRenditionsUseCase,
    private readonly getOne: GetRenditionUseCase,
    private readonly readFile: ReadRenditionFileUseCase,
    private readonly remove: DeleteRenditionUseCase,
    private readonly watch: RenditionWatch,
    private readonly shares: ShareLinkRoutes,
  ) {}

  @Post('panoramas/:id/renditions')
  @ApiOperation({
    summary: 'Ask for a rendition: resized (aspect ratio kept), compressed, converted',
    description:
      'Made in the background: 202 with the new, queued rendition (follow it with its `events` link). The same picture asked ' +
      'for again (the same normalised size, fit, format, quality and effort) is the same rendition: 200 with it, or 202 if it ' +
      'had failed and is made again. Nothing is enlarged: a box larger than the panorama gives its own size. Its bytes count ' +
      'against your storage quota once it is ready.',
  })
  @ApiAcceptedResponse({ type: RenditionDto, headers: { Location: { schema: { type: 'string' } } } })
  @ApiOkResponse({
    type: RenditionDto,
    description: 'This panorama already has this rendition.',
    headers: { Location: { schema: { type: 'string' } } },
  })
  @ApiProblems(
    'VALIDATION_FAILED',
    'PANORAMA_NOT_FOUND',
    'INVALID_RENDITION_SPEC',
    'RENDITION_LIMIT_REACHED',
    'QUOTA_EXCEEDED',
  )
  async createRendition(
    @CurrentPrincipal() principal: Principal,
    @UuidParam('id') id: string,
    @Body() body: CreateRenditionDto,
    @Res({ passthrough: true }) res: Response,
  ): Promise<RenditionDto> {
    const { rendition, created, retried } = await this.create.execute(principal, id, { ...body });
    res.status(created || retried ? HttpStatus.ACCEPTED : HttpStatus.OK);
    res.location(`/v1/renditions/${rendition.id}`);
    return RenditionDto.from(rendition);
  }

  @Get('panoramas/:id/renditions')
  @ApiOperation({ summary: 'The renditions of a panorama, oldest first' })
  @ApiOkResponse({ type: [RenditionDto] })
  @ApiProblems('VALIDATION_FAILED', 'PANORAMA_NOT_FOUND')
  async listRenditions(@CurrentPrincipal() principal: Principal, @UuidParam('id') id: string): Promise<RenditionDto[]> {
    return (await this.list.execute(principal, id)).map((r) => RenditionDto.from(r));
  }

  @Get('renditions/:id')
  @ApiOperation({ summary: 'A rendition: status, size, format, file size' })
  @ApiOkResponse({ type: RenditionDto })
  @ApiProblems('VALIDATION_FAILED', 'RENDITION_NOT_FOUND')
  async getRendition(@CurrentPrincipal() principal: Principal, @UuidParam('id') id: string): Promise<RenditionDto> {
    return RenditionDto.from(await this.getOne.execute(principal, id));
  }

  @Sse('renditions/:id/events')
  @ApiOperation({
    summary: 'Follow a rendition as Server-Sent Events',
    description:
      'Sends the rendition (as in getRendition) whenever its status changes: `progress` events, then one `ready` or `failed` ' +
      'event, and the stream ends. A rendition already finished gets its final event at once.',
  })
  @ApiOkResponse({
    description:
      'An event stream: `progress` events, then one `ready` or `failed` event; each `data` is a RenditionDto.',
    content: sseContent(RenditionDto),
  })
  @ApiProblems('VALIDATION_FAILED', 'RENDITION_NOT_FOUND')
  async streamRenditionEvents(
    @CurrentPrincipal() principal: Principal,
    @UuidParam('id') id: string,
  ): Promise<Observable<MessageEvent>> {
    await this.getOne.execute(principal, id); // 404 (and access) as a problem before the stream starts
    return statusEvents<Rendition>(
      (observer) => this.watch.watch(id, observer),
      (a, b) => a.status === b.status,
      (rendition) => RenditionDto.from(rendition),
    );
  }

  @Get('renditions/:id/file')
  @DocRenditionFile()
  downloadRendition(
    @CurrentPrincipal() principal: Principal,
    @UuidParam('id') id: string,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    return sendRendition(this.readFile, principal, id, req, res, 'private, max-age=31536000, immutable');
  }

  @ShareRoute.create(RENDITION_SHARES)
  shareRendition(
    @CurrentPrincipal() principal: Principal,
    @UuidParam('id') id: string,
    @Body() body: CreateShareDto,
    @Req() req: Request,
  ): Promise<RenditionShareDto> {
    return this.shares.create('rendition', principal, id, body, req);
  }

  @ShareRoute.list(RENDITION_SHARES)
  listRenditionShares(
    @CurrentPrincipal() principal: Principal,
    @UuidParam('id') id: string,
    @Req() req: Request,
  ): Promise<RenditionShareListDto> {
    return this.shares.list('rendition', principal, id, req);
  }

  @ShareRoute.label(RENDITION_SHARES)
  updateRenditionShare(
    @CurrentPrincipal() principal: Principal,
    @UuidParam('id') id: string,
    @UuidParam('linkId') linkId: string,
    @Body() body: UpdateShareDto,
    @Req() req: Request,
  ): Promise<RenditionShareDto> {
    return this.shares.relabel('rendition', principal, id, linkId, body.label, req);
  }

  @ShareRoute.revoke(RENDITION_SHARES)
  revokeRenditionShare(
    @CurrentPrincipal() principal: Principal,
    @UuidParam('id') id: string,
    @UuidParam('linkId') linkId: string,
  ): Promise<void> {
    return this.shares.revoke('rendition', principal, id, linkId);
  }

  @ShareRoute.revokeAll(RENDITION_SHARES)
  revokeRenditionShares(@CurrentPrincipal() principal: Principal, @UuidParam('id') id: string): Promise<void> {
    return this.shares.revokeAll('rendition', principal, id);
  }

  @Delete('renditions/:id')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({ summary: 'Delete a rendition and its file' })
  @ApiNoContentResponse({ description: 'Deleted.' })
  @ApiProblems('VALIDATION_FAILED', 'RENDITION_NOT_FOUND', 'STORAGE_UNAVAILABLE')
  async deleteRendition(@CurrentPrincipal() principal: Principal, @UuidParam('id') id: string): Promise<void> {
    await this.remove.execute(principal, id);
  }
}
