import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  HttpStatus,
  Logger,
  Patch,
  Post,
  Query,
  Req,
  Res,
} from '@nestjs/common';
import { AppConfig } from '#config';
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
  CONTENT_TYPES,
  DeletePanoramaUseCase,
  ListTileSetsUseCase,
  ReadOriginalUseCase,
  RequestTileSetUseCase,
} from '#panoramas';
import { ARCHIVE_ORIGINALS, PlanArchiveUseCase } from '#renditions';
import { IngestPanoramaUseCase, type IngestFields, PanoramaCatalogueUseCase } from '#workflows';
import type { Principal } from '#users';
import { UuidParam } from '../common/uuid-param.js';
import { CurrentPrincipal, RequiresScope } from '../http/auth/auth.decorators.js';
import { ApiProblems } from '../http/problem/api-problems.decorator.js';
import { UploadFieldsParser } from './upload-fields.js';
import { TileSetDto } from '../tilesets/dto/tile-set.dto.js';
import { BatchResultDto, PanoramaDto, PanoramaPageDto } from './dto/panorama.dto.js';
import { CreateTileSetDto } from './dto/create-tile-set.dto.js';
import { listPanoramasInput, ListPanoramasQueryDto, UpdatePanoramaDto } from './dto/panorama-queries.dto.js';
import {
  UploadPanoramaDto,
  UploadPanoramaFieldsDto,
  UploadPanoramasDto,
  UploadPanoramasFieldsDto,
} from './dto/upload-panorama.dto.js';
import { readMultipartBatch } from '../http/multipart-batch.js';
import { sendZip } from '../http/zip-stream.js';
import { ArchiveRequestDto } from './dto/archive-request.dto.js';
import { problemDocument, toProblem } from '../http/problem/problem-details.filter.js';
import { MULTIPART_UPLOAD_PROBLEMS, readMultipartUpload } from '../http/multipart-upload.js';
import { sendStoredFile } from '../http/send-stored-file.js';
import { StaleOk } from '../http/read-replicas.interceptors.js';

/** The original is served with the type its bytes have. */
const ORIGINAL_CONTENT = Object.fromEntries(
  Object.values(CONTENT_TYPES).map((type) => [type, { schema: { type: 'string', format: 'binary' } }]),
);

@ApiTags('panoramas')
@Controller('panoramas')
export class PanoramasController {
  constructor(
    private readonly ingest: IngestPanoramaUseCase,
    private readonly catalogue: PanoramaCatalogueUseCase,
    private readonly remove: DeletePanoramaUseCase,
    private readonly readOriginal: ReadOriginalUseCase,
    private readonly requestTileSet: RequestTileSetUseCase,
    private readonly listPanoramaTileSets: ListTileSetsUseCase,
    private readonly fields: UploadFieldsParser,
    private readonly planArchive: PlanArchiveUseCase,
    private readonly config: AppConfig,
  ) {}

  private readonly logger = new Logger(PanoramasController.name);

  @Post()
  @ApiOperation({
    summary: 'Upload a panorama (streamed; JPEG, PNG, WebP, TIFF, BMP, GIF or AVIF)',
    description:
      'multipart/form-data with one `file` part and optional text fields, in any order. The bytes decide the type: ' +
      'JPEG, PNG, WebP, TIFF, BMP (1 to 32 bits, RLE), GIF (its first frame) or AVIF; 16-bit and CMYK images become ' +
      '8-bit sRGB tiles and renditions; HEIC is refused with 415 (no HEVC decoder here). ' +
      'Answers 202 with the new panorama and its queued tile set, or 200 with the existing panorama when you had already ' +
      'uploaded the same bytes (a tile set with new options is queued on it). Location names the panorama. The rendition ' +
      'presets (RENDITION_PRESETS; the `presets` field picks some or none) are queued for it at once.',
  })
  @ApiConsumes('multipart/form-data')
  @ApiBody({ type: UploadPanoramaDto })
  @ApiAcceptedResponse({
    type: PanoramaDto,
    description: 'Stored; its tile set is queued.',
    headers: { Location: { schema: { type: 'string' } } },
  })
  @ApiOkResponse({
    type: PanoramaDto,
    description: 'Same bytes as an existing panorama of yours: that one.',
    headers: { Location: { schema: { type: 'string' } } },
  })
  @ApiProblems(
    'VALIDATION_FAILED',
    ...MULTIPART_UPLOAD_PROBLEMS,
    'QUOTA_EXCEEDED',
    'IMAGE_TOO_LARGE',
    'INVALID_IMAGE',
    'UNKNOWN_PRESET',
    'COLLECTION_NOT_FOUND',
    'OWNER_NOT_FOUND',
    'STORAGE_UNAVAILABLE',
    'STORAGE_FULL',
  )
  async uploadPanorama(
    @CurrentPrincipal() principal: Principal,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ): Promise<PanoramaDto> {
    const result = await readMultipartUpload(
      req,
      (raw): Promise<IngestFields> => this.fields.parse(raw, UploadPanoramaFieldsDto),
      (source) => this.ingest.execute(principal.userId, source),
    );
    res.status(result.created ? HttpStatus.ACCEPTED : HttpStatus.OK);
    res.location(`/v1/panoramas/${result.panorama.id}`);
    return PanoramaDto.from(result);
  }

  @Post('batch')
  @HttpCode(207)
  @ApiOperation({
    summary: 'Upload several panoramas in one request (streamed, one after another)',
    description:
      'multipart/form-data: the optional text fields of an upload first (they apply to every file; each title comes from ' +
      'its file name), then up to BATCH_MAX_FILES parts named `files`. Each file is streamed and handled as a single ' +
      'upload would be, in order, never buffered. Answers 207 with one item per file part: 202 stored, 200 the same bytes ' +
      'as one of your panoramas, or its problem; one bad file does not spoil the others. Problems before the first file ' +
      '(not multipart, invalid fields) refuse the whole request; a failure of the request after it (malformed body, a ' +
      'field after a file, the client gone) ends the batch with a last item whose filename is null.',
  })
  @ApiConsumes('multipart/form-data')
  @ApiBody({ type: UploadPanoramasDto })
  @ApiResponse({ status: 207, type: BatchResultDto, description: 'One outcome per file part, in order.' })
  @ApiProblems(
    'VALIDATION_FAILED',
    'MALFORMED_MULTIPART',
    'DUPLICATE_FIELD',
    'FIELD_TOO_LARGE',
    'TOO_MANY_PARTS',
    'MISSING_FILE',
    'UPLOAD_ABORTED',
    'UNSUPPORTED_MEDIA_TYPE',
    'UNKNOWN_PRESET',
    'COLLECTION_NOT_FOUND',
    'STORAGE_FULL',
  )
  async uploadPanoramas(
    @CurrentPrincipal() principal: Principal,
    @Req() req: Request & { id?: string },
  ): Promise<BatchResultDto> {
    const outcomes = await readMultipartBatch(
      req,
      { maxFiles: this.config.BATCH_MAX_FILES, parseFields: (raw) => this.fields.parse(raw, UploadPanoramasFieldsDto) },
      (part, fields) =>
        this.ingest.execute(principal.userId, {
          filename: part.filename,
          content: part.content,
          fields: async () => fields,
        }),
    );
    return {
      items: outcomes.map((outcome) => {
        if ('result' in outcome) {
          return {
            filename: outcome.filename,
            status: outcome.result.created ? HttpStatus.ACCEPTED : HttpStatus.OK,
            panorama: PanoramaDto.from(outcome.result),
          };
        }
        const problem = toProblem(outcome.error);
        if (problem.status >= 500) this.logger.error({ err: outcome.error }, `Batch item ${outcome.filename} failed`);
        return {
          filename: outcome.filename,
          status: problem.status,
          problem: problemDocument(problem, req.originalUrl.split('?')[0], req.id),
        };
      }),
    };
  }

  @Post('archive')
  // A download: a POST only because the list of ids is a body.
  @RequiresScope('read')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({
    summary: 'Download several panoramas as one zip',
    description:
      'For each panorama (in the order given), a folder named after its file with what `include` asks for: the original, ' +
      'and ready renditions of presets (`matterhorn/matterhorn.jpg`, `matterhorn/matterhorn-preview.jpg`). index.json at ' +
      'the root lists every folder, its files and what was missing. Streamed from storage as it is read: never built in ' +
      'memory or on disk. Every id must be yours (else 404 before anything is sent).',
  })
  @ApiProduces('application/zip')
  @ApiOkResponse({
    description: 'zip archive.',
    content: { 'application/zip': { schema: { type: 'string', format: 'binary' } } },
  })
  @ApiProblems('VALIDATION_FAILED', 'PANORAMA_NOT_FOUND', 'UNKNOWN_PRESET', 'STORAGE_UNAVAILABLE')
  async downloadPanoramasArchive(
    @CurrentPrincipal() principal: Principal,
    @Body() body: ArchiveRequestDto,
    @Res() res: Response,
  ): Promise<void> {
    const plan = await this.planArchive.execute(principal, body.ids, body.include ?? [ARCHIVE_ORIGINALS]);
    await sendZip(
      res,
      `panoramas-${new Date().toISOString().slice(0, 10)}.zip`,
      plan.files,
      (error, file) => this.logger.error({ err: error }, `Archive: ${file.name} could not be read`),
      [{ name: 'index.json', content: JSON.stringify({ panoramas: plan.index }, null, 2) }],
    );
  }

  @Get()
  @StaleOk()
  @ApiOperation({ summary: 'Your panoramas, newest first' })
  @ApiOkResponse({ type: PanoramaPageDto })
  @ApiProblems('VALIDATION_FAILED', 'INVALID_CURSOR')
  async listPanoramas(
    @CurrentPrincipal() principal: Principal,
    @Query() query: ListPanoramasQueryDto,
  ): Promise<PanoramaPageDto> {
    return PanoramaPageDto.from(await this.catalogue.list(principal, listPanoramasInput(query)));
  }

  @Get(':id')
  @ApiOperation({ summary: 'A panorama with its tile sets and renditions' })
  @ApiOkResponse({ type: PanoramaDto })
  @ApiProblems('VALIDATION_FAILED', 'PANORAMA_NOT_FOUND')
  async getPanorama(@CurrentPrincipal() principal: Principal, @UuidParam('id') id: string): Promise<PanoramaDto> {
    return PanoramaDto.from(await this.catalogue.get(principal, id));
  }

  @Patch(':id')
  @ApiOperation({ summary: 'Change title or description' })
  @ApiOkResponse({ type: PanoramaDto })
  @ApiProblems('VALIDATION_FAILED', 'PANORAMA_NOT_FOUND')
  async updatePanorama(
    @CurrentPrincipal() principal: Principal,
    @UuidParam('id') id: string,
    @Body() body: UpdatePanoramaDto,
  ): Promise<PanoramaDto> {
    return PanoramaDto.from(await this.catalogue.update(principal, id, body));
  }

  @Delete(':id')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({ summary: 'Delete a panorama, its original, all its tiles and renditions' })
  @ApiNoContentResponse({ description: 'Gone (stored objects are purged now, or by a retried job if storage failed).' })
  @ApiProblems('VALIDATION_FAILED', 'PANORAMA_NOT_FOUND')
  async deletePanorama(@CurrentPrincipal() principal: Principal, @UuidParam('id') id: string): Promise<void> {
    await this.remove.execute(principal, id);
  }

  @Post(':id/tilesets')
  @ApiOperation({
    summary: 'Ask for a tile set with given options',
    description:
      '202 with a new, queued tile set; 200 with the existing one when this panorama already has one with the same options.',
  })
  @ApiAcceptedResponse({ type: TileSetDto, headers: { Location: { schema: { type: 'string' } } } })
  @ApiOkResponse({
    type: TileSetDto,
    description: 'A tile set with these options already exists.',
    headers: { Location: { schema: { type: 'string' } } },
  })
  @ApiProblems('VALIDATION_FAILED', 'PANORAMA_NOT_FOUND', 'INVALID_TILE_OPTIONS')
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
  @ApiProblems('VALIDATION_FAILED', 'PANORAMA_NOT_FOUND')
  async listTileSets(@CurrentPrincipal() principal: Principal, @UuidParam('id') id: string): Promise<TileSetDto[]> {
    return (await this.listPanoramaTileSets.execute(principal, id)).map((t) => TileSetDto.from(t));
  }

  @Get(':id/original')
  @ApiOperation({
    summary: 'Download the original',
    description:
      'Streams the stored original as an attachment. Strong ETag (its SHA-256), If-None-Match, single byte ranges (Range, If-Range).',
  })
  @ApiOkResponse({ description: 'The whole file, with its own image type.', content: ORIGINAL_CONTENT })
  @ApiResponse({ status: 206, description: 'The requested byte range.', content: ORIGINAL_CONTENT })
  @ApiResponse({ status: 304, description: 'Not modified (If-None-Match).' })
  @ApiProblems('VALIDATION_FAILED', 'PANORAMA_NOT_FOUND', 'RANGE_NOT_SATISFIABLE', 'STORAGE_UNAVAILABLE')
  async downloadOriginal(
    @CurrentPrincipal() principal: Principal,
    @UuidParam('id') id: string,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    const panorama = await this.readOriginal.find(principal, id);
    await sendStoredFile(
      req,
      res,
      {
        sha256: panorama.sha256,
        bytes: panorama.bytes,
        contentType: panorama.contentType(),
        filename: panorama.originalFilename,
        // Revalidated each time: the ETag makes that a 304.
        cacheControl: 'private, max-age=0, must-revalidate',
      },
      (range) => this.readOriginal.execute(panorama, range),
    );
  }
}
