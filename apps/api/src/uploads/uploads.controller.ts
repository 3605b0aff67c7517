import { Controller, Delete, Head, Param, Patch, Post, Req, Res } from '@nestjs/common';
import { ApiConsumes, ApiHeader, ApiOperation, ApiParam, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { RequiresScope } from '../http/auth/auth.decorators.js';
import { ApiProblems } from '../http/problem/api-problems.decorator.js';
import { PANORAMA_ID_HEADER, ResumableUploads } from './resumable-uploads.js';

const TUS_RESUMABLE = ApiHeader({ name: 'Tus-Resumable', required: true, schema: { type: 'string', enum: ['1.0.0'] } });
const UPLOAD_ID = ApiParam({
  name: 'id',
  description: 'The upload id (the last segment of the Location of createUpload).',
});

/**
 * Resumable uploads, tus 1.0 (https://tus.io/protocols/resumable-upload): use a tus client
 * (tus-js-client, Uppy, tusd's CLI) pointed at /v1/uploads with the bearer header. These
 * operations are documented for completeness; their bodies and headers are tus's.
 */
@ApiTags('uploads')
@Controller('uploads')
export class UploadsController {
  constructor(private readonly uploads: ResumableUploads) {}

  @Post()
  @ApiOperation({
    summary: 'Start a resumable upload (tus creation)',
    description:
      'Headers: `Upload-Length` (bytes, at most UPLOAD_MAX_BYTES: 413 otherwise; within your quota, counting what your ' +
      'unfinished uploads hold: 422 otherwise; or `Upload-Defer-Length: 1`, the bytes then checked as they arrive) and ' +
      '`Upload-Metadata` (tus encoding: `filename`, and the optional fields of uploadPanorama: `title`, `description`, ' +
      '`tileSize`, `tileFormat`, `tileQuality`, `overlap`, `presets`; validated now: 400). Answers 201 with the upload URL ' +
      'in `Location`. A user has at most UPLOAD_RESUMABLE_MAX_PER_USER unfinished uploads (422 ' +
      'TOO_MANY_UNFINISHED_UPLOADS); they are removed after UPLOAD_RESUMABLE_EXPIRY_HOURS. The body may carry the first ' +
      'bytes (creation-with-upload, `Content-Type: application/offset+octet-stream`); when it is the whole file the answer ' +
      `is that of the last PATCH (\`${PANORAMA_ID_HEADER}\`). Concatenation (parallel uploads) is not offered: 501.`,
  })
  @TUS_RESUMABLE
  @ApiHeader({ name: 'Upload-Length', required: true, schema: { type: 'integer' } })
  @ApiHeader({ name: 'Upload-Metadata', required: false, schema: { type: 'string' } })
  @ApiResponse({ status: 201, description: 'Created; `Location` is the upload URL.' })
  @ApiProblems(
    'BAD_REQUEST',
    'VALIDATION_FAILED',
    'UPLOAD_TOO_LARGE',
    'QUOTA_EXCEEDED',
    'UNKNOWN_PRESET',
    'COLLECTION_NOT_FOUND',
    'PRECONDITION_FAILED',
    'TOO_MANY_UNFINISHED_UPLOADS',
    'UNSUPPORTED_MEDIA_TYPE',
    'NOT_IMPLEMENTED',
    'IMAGE_TOO_LARGE',
    'INVALID_IMAGE',
    'EMPTY_UPLOAD',
    'OWNER_NOT_FOUND',
    'STORAGE_UNAVAILABLE',
    'STORAGE_FULL',
  )
  createUpload(@Req() req: Request, @Res() res: Response): Promise<void> {
    return this.uploads.handle(req, res);
  }

  @Head(':id')
  // Part of uploading (a client resuming asks first): a write, whatever the method says.
  @RequiresScope('write')
  @ApiOperation({ summary: 'How much of a resumable upload has arrived (tus: `Upload-Offset`)' })
  @UPLOAD_ID
  @TUS_RESUMABLE
  @ApiResponse({ status: 200, description: '`Upload-Offset` and `Upload-Length`.' })
  @ApiProblems('UPLOAD_NOT_FOUND', 'PRECONDITION_FAILED')
  getUploadOffset(@Param('id') _id: string, @Req() req: Request, @Res() res: Response): Promise<void> {
    return this.uploads.handle(req, res);
  }

  @Patch(':id')
  @ApiOperation({
    summary: 'Send the next bytes of a resumable upload (tus)',
    description:
      '`Content-Type: application/offset+octet-stream`, `Upload-Offset` = what HEAD said. The request that completes the ' +
      'upload stores the panorama as uploadPanorama would (type by its bytes, probe, de-duplication, tile set and presets ' +
      `queued) and answers with its id in \`${PANORAMA_ID_HEADER}\`; a refused file answers that problem and the upload is gone.`,
  })
  @ApiConsumes('application/offset+octet-stream')
  @UPLOAD_ID
  @TUS_RESUMABLE
  @ApiHeader({ name: 'Upload-Offset', required: true, schema: { type: 'integer' } })
  @ApiResponse({
    status: 204,
    description: `Received; the new \`Upload-Offset\`. On the last bytes, \`${PANORAMA_ID_HEADER}\` too.`,
  })
  @ApiProblems(
    'BAD_REQUEST',
    'UPLOAD_NOT_FOUND',
    'CONFLICT',
    'PRECONDITION_FAILED',
    'UPLOAD_TOO_LARGE',
    'UNSUPPORTED_MEDIA_TYPE',
    'QUOTA_EXCEEDED',
    'IMAGE_TOO_LARGE',
    'INVALID_IMAGE',
    'COLLECTION_NOT_FOUND',
    'EMPTY_UPLOAD',
    'VALIDATION_FAILED',
    'UNKNOWN_PRESET',
    'OWNER_NOT_FOUND',
    'STORAGE_UNAVAILABLE',
    'STORAGE_FULL',
  )
  sendUploadBytes(@Param('id') _id: string, @Req() req: Request, @Res() res: Response): Promise<void> {
    return this.uploads.handle(req, res);
  }

  @Delete(':id')
  @ApiOperation({ summary: 'Abandon a resumable upload (tus termination)' })
  @UPLOAD_ID
  @TUS_RESUMABLE
  @ApiResponse({ status: 204, description: 'Removed.' })
  @ApiProblems('UPLOAD_NOT_FOUND', 'PRECONDITION_FAILED')
  deleteUpload(@Param('id') _id: string, @Req() req: Request, @Res() res: Response): Promise<void> {
    return this.uploads.handle(req, res);
  }
}
