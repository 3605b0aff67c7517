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
import {
  ApiAcceptedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiResponse,
  ApiTags,
} from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { distinctUntilChanged, map, Observable, takeWhile } from 'rxjs';
import {
  CreateRenditionUseCase,
  DeleteRenditionUseCase,
  GetRenditionUseCase,
  ListRenditionsUseCase,
  ReadRenditionFileUseCase,
  RENDITION_CONTENT_TYPES,
  type Rendition,
  RenditionWatch,
} from '#renditions';
import type { Principal } from '#users';
import { SSE_SCHEMA } from '../common/sse.js';
import { UuidParam } from '../common/uuid-param.js';
import { CurrentPrincipal } from '../http/auth/auth.decorators.js';
import { ApiProblems } from '../http/problem/api-problems.decorator.js';
import { sendStoredFile } from '../http/send-stored-file.js';
import { CreateRenditionDto, RenditionDto } from './dto/rendition.dto.js';

const RENDITION_CONTENT = Object.fromEntries(
  Object.values(RENDITION_CONTENT_TYPES).map((type) => [type, { schema: { type: 'string', format: 'binary' } }]),
);

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
    const changes = new Observable<Rendition>((subscriber) =>
      this.watch.watch(id, {
        next: (rendition) => subscriber.next(rendition),
        gone: () => subscriber.complete(),
        error: (error) => subscriber.error(error),
      }),
    );
    return changes.pipe(
      distinctUntilChanged((a, b) => a.status === b.status),
      takeWhile((rendition) => !rendition.isFinished(), true),
      map((rendition) => ({
        type: rendition.isFinished() ? rendition.status : 'progress',
        data: RenditionDto.from(rendition),
      })),
    );
  }

  @Get('renditions/:id/file')
  @ApiOperation({
    summary: 'Download the rendition',
    description:
      'The image, as an attachment named after the original (`matterhorn-thumb.webp`). Strong ETag (its SHA-256), immutable ' +
      'caching (a rendition never changes), If-None-Match, single byte ranges (Range, If-Range). Not ready yet: 409.',
  })
  @ApiOkResponse({ description: 'The image, in its format.', content: RENDITION_CONTENT })
  @ApiResponse({ status: 206, description: 'The requested byte range.', content: RENDITION_CONTENT })
  @ApiResponse({ status: 304, description: 'Not modified (If-None-Match).' })
  @ApiProblems(
    'VALIDATION_FAILED',
    'RENDITION_NOT_FOUND',
    'RENDITION_NOT_READY',
    'RANGE_NOT_SATISFIABLE',
    'STORAGE_UNAVAILABLE',
  )
  async downloadRendition(
    @CurrentPrincipal() principal: Principal,
    @UuidParam('id') id: string,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    const { rendition, filename } = await this.readFile.find(principal, id);
    await sendStoredFile(
      req,
      res,
      {
        sha256: rendition.sha256!,
        bytes: rendition.bytes!,
        contentType: RENDITION_CONTENT_TYPES[rendition.format],
        filename,
        cacheControl: 'private, max-age=31536000, immutable',
      },
      (range) => this.readFile.open(rendition, range),
    );
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
