import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  HttpStatus,
  type MessageEvent,
  Patch,
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
import { ShareLinksUseCase } from '#sharing';
import type { Principal } from '#users';
import type { Observable } from 'rxjs';
import { SSE_SCHEMA, statusEvents } from '../common/sse.js';
import { UuidParam } from '../common/uuid-param.js';
import { CurrentPrincipal } from '../http/auth/auth.decorators.js';
import { ApiProblems } from '../http/problem/api-problems.decorator.js';
import {
  CreateShareDto,
  RenditionShareDto,
  RenditionShareListDto,
  UpdateShareDto,
} from '../share/dto/share-link.dto.js';
import { listedLink, ShareLinkAnswers } from '../share/share-link-answers.js';
import { ShareLinks } from '../share/share-links.js';
import { CreateRenditionDto, RenditionDto } from './dto/rendition.dto.js';
import { DocRenditionFile, sendRendition } from './rendition-file.js';

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
    private readonly sharing: ShareLinksUseCase,
    private readonly links: ShareLinks,
    private readonly shareAnswers: ShareLinkAnswers,
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
    content: { 'text/event-stream': { schema: SSE_SCHEMA } },
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

  @Post('renditions/:id/share')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({
    summary: 'Make a share link: the rendition file, without a token, until it expires',
    description:
      'An absolute URL (PUBLIC_BASE_URL when set) usable in an <img> on any page. The link is listed ' +
      '(listRenditionShares) and can be revoked alone (revokeRenditionShare) or with every other ' +
      '(revokeRenditionShares). Owners only.',
  })
  @ApiOkResponse({ type: RenditionShareDto })
  @ApiProblems('VALIDATION_FAILED', 'RENDITION_NOT_FOUND', 'SHARE_LINK_LIMIT_REACHED')
  async shareRendition(
    @CurrentPrincipal() principal: Principal,
    @UuidParam('id') id: string,
    @Body() body: CreateShareDto,
    @Req() req: Request,
  ): Promise<RenditionShareDto> {
    const made = await this.sharing.create(principal, 'rendition', id, { ...body, keyId: this.links.signingKeyId() });
    return this.shareAnswers.rendition(made, req)!;
  }

  @Get('renditions/:id/shares')
  @ApiOperation({
    summary: "This rendition's active share links",
    description:
      'Listed links that are neither revoked nor expired, newest first, with their label, expiry, last use (to the ' +
      'minute) and file URL. Owners only.',
  })
  @ApiOkResponse({ type: RenditionShareListDto })
  @ApiProblems('VALIDATION_FAILED', 'RENDITION_NOT_FOUND')
  async listRenditionShares(
    @CurrentPrincipal() principal: Principal,
    @UuidParam('id') id: string,
    @Req() req: Request,
  ): Promise<RenditionShareListDto> {
    const links = await this.sharing.list(principal, 'rendition', id);
    return {
      items: links.flatMap((link) => this.shareAnswers.rendition(listedLink(link), req) ?? []),
    };
  }

  @Patch('renditions/:id/shares/:linkId')
  @ApiOperation({ summary: 'Label a share link of this rendition', description: 'Owners only.' })
  @ApiOkResponse({ type: RenditionShareDto })
  @ApiProblems('VALIDATION_FAILED', 'RENDITION_NOT_FOUND', 'SHARE_LINK_NOT_FOUND')
  async updateRenditionShare(
    @CurrentPrincipal() principal: Principal,
    @UuidParam('id') id: string,
    @UuidParam('linkId') linkId: string,
    @Body() body: UpdateShareDto,
    @Req() req: Request,
  ): Promise<RenditionShareDto> {
    const link = await this.sharing.relabel(principal, 'rendition', id, linkId, body.label);
    return this.shareAnswers.rendition(listedLink(link), req)!;
  }

  @Delete('renditions/:id/shares/:linkId')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({
    summary: 'Revoke one share link of this rendition',
    description: 'The others keep working. Takes effect on every API instance within moments. Owners only.',
  })
  @ApiNoContentResponse({ description: 'Revoked.' })
  @ApiProblems('VALIDATION_FAILED', 'RENDITION_NOT_FOUND', 'SHARE_LINK_NOT_FOUND')
  async revokeRenditionShare(
    @CurrentPrincipal() principal: Principal,
    @UuidParam('id') id: string,
    @UuidParam('linkId') linkId: string,
  ): Promise<void> {
    await this.sharing.revoke(principal, 'rendition', id, linkId);
  }

  @Delete('renditions/:id/share')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({
    summary: 'Revoke every share link of this rendition',
    description: 'Listed and unlisted. Owners only.',
  })
  @ApiNoContentResponse({ description: 'Revoked.' })
  @ApiProblems('VALIDATION_FAILED', 'RENDITION_NOT_FOUND')
  async revokeRenditionShares(@CurrentPrincipal() principal: Principal, @UuidParam('id') id: string): Promise<void> {
    await this.sharing.revokeAll(principal, 'rendition', id);
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
