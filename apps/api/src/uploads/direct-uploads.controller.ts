import { Body, Controller, Delete, Get, HttpCode, HttpStatus, Post, Res } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import type { Response } from 'express';
import type { Principal } from '#users';
import { UuidParam } from '../common/uuid-param.js';
import { CurrentPrincipal, RequiresScope } from '../http/auth/auth.decorators.js';
import { whenClientGone } from '../http/client-gone.js';
import { ApiProblems } from '../http/problem/api-problems.decorator.js';
import { PanoramaDto } from '../panoramas/dto/panorama.dto.js';
import { DirectUploads } from './direct-uploads.js';
import {
  CompleteDirectUploadDto,
  CreateDirectUploadDto,
  DirectUploadDto,
  DirectUploadListDto,
} from './dto/direct-upload.dto.js';

const FIELD_PROBLEMS = ['VALIDATION_FAILED', 'UNKNOWN_PRESET', 'COLLECTION_NOT_FOUND'] as const;

/**
 * Direct uploads (STORAGE_DRIVER=s3): the client sends the file's parts straight to the
 * bucket with presigned URLs, and the API checks and stores the result as uploadPanorama
 * would. Any API instance can go on with any upload. On local storage the list says
 * `offered: false` and every other operation answers 501.
 */
@ApiTags('uploads')
@Controller('direct-uploads')
export class DirectUploadsController {
  constructor(private readonly uploads: DirectUploads) {}

  @Post()
  @ApiOperation({
    summary: 'Start a direct upload to the object store (presigned multipart)',
    description:
      'With S3 storage only (501 otherwise). Give the exact `bytes` and the `filename`, with the optional fields of ' +
      'uploadPanorama. Answers the upload with a URL per part: PUT each part there (exactly `bytes` of the file from ' +
      '`(partNumber - 1) * partBytes`, no other header, in any order, several at once if you like) and keep the `ETag` ' +
      'each answers; then completeDirectUpload. The size and the quota are checked now (counting your unfinished uploads ' +
      'of both kinds, at most UPLOAD_RESUMABLE_MAX_PER_USER) and again at completion. Unfinished after ' +
      'UPLOAD_RESUMABLE_EXPIRY_HOURS, it is removed with its parts. From a browser, the bucket must allow your origin ' +
      'to PUT and to read the ETag header (CORS).',
  })
  @ApiCreatedResponse({ type: DirectUploadDto, headers: { Location: { schema: { type: 'string' } } } })
  @ApiProblems(
    ...FIELD_PROBLEMS,
    'UPLOAD_TOO_LARGE',
    'QUOTA_EXCEEDED',
    'TOO_MANY_UNFINISHED_UPLOADS',
    'NOT_IMPLEMENTED',
    'STORAGE_UNAVAILABLE',
  )
  async createDirectUpload(
    @CurrentPrincipal() principal: Principal,
    @Body() body: CreateDirectUploadDto,
    @Res({ passthrough: true }) res: Response,
  ): Promise<DirectUploadDto> {
    const { filename, bytes, ...fields } = body;
    const raw = Object.fromEntries(
      Object.entries(fields)
        .filter(([, value]) => value !== undefined && value !== null)
        .map(([name, value]) => [name, String(value)]),
    );
    const view = await this.uploads.create(principal, filename, bytes, raw);
    res.location(`/v1/direct-uploads/${view.upload.id}`);
    return DirectUploadDto.from(view);
  }

  @Get()
  @ApiOperation({
    summary: 'Whether direct uploads are offered here, and your unfinished ones (without part URLs)',
  })
  @ApiOkResponse({ type: DirectUploadListDto })
  async listDirectUploads(@CurrentPrincipal() principal: Principal): Promise<DirectUploadListDto> {
    const offered = this.uploads.offered;
    const items = offered ? await this.uploads.list(principal) : [];
    return { offered, items: items.map((upload) => DirectUploadDto.from({ upload })) };
  }

  @Get(':id')
  // It hands out URLs that write: a write, whatever the method says.
  @RequiresScope('write')
  @ApiOperation({
    summary: 'A direct upload, with fresh part URLs while it is open (to resume, from any API instance)',
  })
  @ApiOkResponse({ type: DirectUploadDto })
  @ApiProblems('VALIDATION_FAILED', 'UPLOAD_NOT_FOUND', 'NOT_IMPLEMENTED', 'STORAGE_UNAVAILABLE')
  async getDirectUpload(
    @CurrentPrincipal() principal: Principal,
    @UuidParam('id') id: string,
  ): Promise<DirectUploadDto> {
    return DirectUploadDto.from(await this.uploads.get(principal, id));
  }

  @Post(':id/complete')
  @ApiOperation({
    summary: 'Complete a direct upload: the panorama is checked and stored as uploadPanorama would',
    description:
      'List every part with the ETag its PUT answered. The parts become the file (400 UPLOAD_INCOMPLETE when they cannot: ' +
      'send what is missing and complete again), which must be exactly the declared size, then goes through ' +
      "uploadPanorama's checks (type by its bytes, header, de-duplication, quota) and is stored without passing through " +
      'the client again. Answers like uploadPanorama: 202 with the new panorama, 200 with an existing one of the same ' +
      'bytes (or when this upload was already completed: completing again is safe). A refused file ends the upload.',
  })
  @ApiAcceptedResponse({ type: PanoramaDto, headers: { Location: { schema: { type: 'string' } } } })
  @ApiOkResponse({ type: PanoramaDto, description: 'Already completed, or the same bytes as one of your panoramas.' })
  @ApiProblems(
    'UPLOAD_NOT_FOUND',
    'UPLOAD_INCOMPLETE',
    'CONFLICT',
    ...FIELD_PROBLEMS,
    'UNSUPPORTED_MEDIA_TYPE',
    'QUOTA_EXCEEDED',
    'IMAGE_TOO_LARGE',
    'INVALID_IMAGE',
    'EMPTY_UPLOAD',
    'OWNER_NOT_FOUND',
    'NOT_IMPLEMENTED',
    'STORAGE_UNAVAILABLE',
    'STORAGE_FULL',
  )
  async completeDirectUpload(
    @CurrentPrincipal() principal: Principal,
    @UuidParam('id') id: string,
    @Body() body: CompleteDirectUploadDto,
    @Res({ passthrough: true }) res: Response,
  ): Promise<PanoramaDto> {
    const { result, created } = await this.uploads.complete(principal, id, body.parts, whenClientGone(res));
    const made = created && 'created' in result && result.created;
    res.status(made ? HttpStatus.ACCEPTED : HttpStatus.OK);
    res.location(`/v1/panoramas/${result.panorama.id}`);
    return PanoramaDto.from(result);
  }

  @Delete(':id')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({ summary: 'Abandon a direct upload (its parts go; a panorama it made stays)' })
  @ApiNoContentResponse({ description: 'Removed.' })
  @ApiProblems('VALIDATION_FAILED', 'UPLOAD_NOT_FOUND', 'CONFLICT', 'NOT_IMPLEMENTED', 'STORAGE_UNAVAILABLE')
  async deleteDirectUpload(
    @CurrentPrincipal() principal: Principal,
    @UuidParam('id') id: string,
    @Res({ passthrough: true }) res: Response,
  ): Promise<void> {
    await this.uploads.remove(principal, id, whenClientGone(res));
  }
}
