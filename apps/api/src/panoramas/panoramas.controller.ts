import { Body, Controller, Delete, Get, HttpCode, HttpStatus, Patch, Post, Query, Req, Res } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBody,
  ApiConsumes,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiProduces,
  ApiResponse,
  ApiTags,
} from '@nestjs/swagger';
import type { Request, Response } from 'express';
import {
  DeletePanoramaUseCase,
  GetPanoramaUseCase,
  ListPanoramasUseCase,
  ListTileSetsUseCase,
  ReadOriginalUseCase,
  RequestTileSetUseCase,
  UpdatePanoramaUseCase,
  UploadPanoramaUseCase,
} from '#panoramas';
import type { Principal } from '#users';
import { UuidParam } from '../common/uuid-param.js';
import { CurrentPrincipal } from '../http/auth/auth.decorators.js';
import { ApiProblems } from '../http/problem/api-problems.decorator.js';
import { validateDto } from '../http/problem/validation.js';
import { PanoramaDto, PanoramaPageDto, TileSetDto } from './dto/panorama.dto.js';
import { CreateTileSetDto } from './dto/create-tile-set.dto.js';
import { ListPanoramasQueryDto, UpdatePanoramaDto } from './dto/panorama-queries.dto.js';
import { UploadPanoramaDto, UploadPanoramaFieldsDto } from './dto/upload-panorama.dto.js';
import { readMultipartUpload } from './multipart-upload.js';
import { sendOriginal } from './send-original.js';

@ApiTags('panoramas')
@Controller('panoramas')
export class PanoramasController {
  constructor(
    private readonly upload: UploadPanoramaUseCase,
    private readonly list: ListPanoramasUseCase,
    private readonly get: GetPanoramaUseCase,
    private readonly update: UpdatePanoramaUseCase,
    private readonly remove: DeletePanoramaUseCase,
    private readonly readOriginal: ReadOriginalUseCase,
    private readonly requestTileSet: RequestTileSetUseCase,
    private readonly listPanoramaTileSets: ListTileSetsUseCase,
  ) {}

  @Post()
  @ApiOperation({
    summary: 'Upload a panorama (streamed; JPEG, PNG, WebP or TIFF)',
    description:
      'multipart/form-data with one `file` part and optional text fields, in any order. The bytes decide the type. ' +
      'Answers 202 with the new panorama and its queued tile set, or 200 with the existing panorama when you had already ' +
      'uploaded the same bytes (a tile set with new options is queued on it). Location names the panorama.',
  })
  @ApiConsumes('multipart/form-data')
  @ApiBody({ type: UploadPanoramaDto })
  @ApiAcceptedResponse({ type: PanoramaDto, description: 'Stored; its tile set is queued.', headers: { Location: { schema: { type: 'string' } } } })
  @ApiOkResponse({ type: PanoramaDto, description: 'Same bytes as an existing panorama of yours: that one.', headers: { Location: { schema: { type: 'string' } } } })
  @ApiProblems(400, 413, 415, 422)
  async uploadPanorama(
    @CurrentPrincipal() principal: Principal,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ): Promise<PanoramaDto> {
    const result = await readMultipartUpload(
      req,
      async (raw) => {
        const fields = await validateDto(UploadPanoramaFieldsDto, raw);
        return {
          title: fields.title,
          description: fields.description,
          tileOptions: { tileSize: fields.tileSize, format: fields.tileFormat, quality: fields.tileQuality, overlap: fields.overlap },
        };
      },
      (source) => this.upload.execute(principal.userId, source),
    );
    res.status(result.created ? HttpStatus.ACCEPTED : HttpStatus.OK);
    res.location(`/v1/panoramas/${result.panorama.id}`);
    return PanoramaDto.from(result);
  }

  @Get()
  @ApiOperation({ summary: 'Your panoramas, newest first' })
  @ApiOkResponse({ type: PanoramaPageDto })
  @ApiProblems(400)
  async listPanoramas(@CurrentPrincipal() principal: Principal, @Query() query: ListPanoramasQueryDto): Promise<PanoramaPageDto> {
    const page = await this.list.execute(principal, query);
    return { items: page.items.map(PanoramaDto.from), nextCursor: page.nextCursor };
  }

  @Get(':id')
  @ApiOperation({ summary: 'A panorama with its tile sets' })
  @ApiOkResponse({ type: PanoramaDto })
  @ApiProblems(400, 404)
  async getPanorama(@CurrentPrincipal() principal: Principal, @UuidParam('id') id: string): Promise<PanoramaDto> {
    return PanoramaDto.from(await this.get.execute(principal, id));
  }

  @Patch(':id')
  @ApiOperation({ summary: 'Change title or description' })
  @ApiOkResponse({ type: PanoramaDto })
  @ApiProblems(400, 404)
  async updatePanorama(@CurrentPrincipal() principal: Principal, @UuidParam('id') id: string, @Body() body: UpdatePanoramaDto): Promise<PanoramaDto> {
    return PanoramaDto.from(await this.update.execute(principal, id, body));
  }

  @Delete(':id')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({ summary: 'Delete a panorama, its original and all its tiles' })
  @ApiNoContentResponse({ description: 'Gone (stored objects are purged now, or by a retried job if storage failed).' })
  @ApiProblems(400, 404)
  async deletePanorama(@CurrentPrincipal() principal: Principal, @UuidParam('id') id: string): Promise<void> {
    await this.remove.execute(principal, id);
  }

  @Post(':id/tilesets')
  @ApiOperation({
    summary: 'Ask for a tile set with given options',
    description: '202 with a new, queued tile set; 200 with the existing one when this panorama already has one with the same options.',
  })
  @ApiAcceptedResponse({ type: TileSetDto, headers: { Location: { schema: { type: 'string' } } } })
  @ApiOkResponse({ type: TileSetDto, description: 'A tile set with these options already exists.', headers: { Location: { schema: { type: 'string' } } } })
  @ApiProblems(400, 404)
  async createTileSet(
    @CurrentPrincipal() principal: Principal,
    @UuidParam('id') id: string,
    @Body() body: CreateTileSetDto,
    @Res({ passthrough: true }) res: Response,
  ): Promise<TileSetDto> {
    const { tileSet, created } = await this.requestTileSet.execute(principal, id, {
      tileSize: body.tileSize,
      format: body.format,
      quality: body.quality,
      overlap: body.overlap,
    });
    res.status(created ? HttpStatus.ACCEPTED : HttpStatus.OK);
    res.location(`/v1/tilesets/${tileSet.id}`);
    return TileSetDto.from(tileSet);
  }

  @Get(':id/tilesets')
  @ApiOperation({ summary: 'The tile sets of a panorama, oldest first' })
  @ApiOkResponse({ type: [TileSetDto] })
  @ApiProblems(400, 404)
  async listTileSets(@CurrentPrincipal() principal: Principal, @UuidParam('id') id: string): Promise<TileSetDto[]> {
    return (await this.listPanoramaTileSets.execute(principal, id)).map(TileSetDto.from);
  }

  @Get(':id/original')
  @ApiOperation({
    summary: 'Download the original',
    description: 'Streams the stored original as an attachment. Strong ETag (its SHA-256), If-None-Match, single byte ranges (Range, If-Range).',
  })
  @ApiProduces('image/jpeg', 'image/png', 'image/webp', 'image/tiff')
  @ApiOkResponse({ description: 'The whole file.', content: { 'application/octet-stream': { schema: { type: 'string', format: 'binary' } } } })
  @ApiResponse({ status: 206, description: 'The requested byte range.', content: { 'application/octet-stream': { schema: { type: 'string', format: 'binary' } } } })
  @ApiResponse({ status: 304, description: 'Not modified (If-None-Match).' })
  @ApiProblems(400, 404, 416)
  async downloadOriginal(
    @CurrentPrincipal() principal: Principal,
    @UuidParam('id') id: string,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    const panorama = await this.readOriginal.find(principal, id);
    await sendOriginal(req, res, panorama, (range) => this.readOriginal.execute(panorama, range));
  }
}
