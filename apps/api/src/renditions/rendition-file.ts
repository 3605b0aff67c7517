import { applyDecorators } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiResponse } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { ReadRenditionFileUseCase, RENDITION_CONTENT_TYPES } from '#renditions';
import type { Reader } from '#shared-kernel';
import { ApiProblems } from '../http/problem/api-problems.decorator.js';
import type { ProblemCode } from '../http/problem/error-status.js';
import { sendStoredFile } from '../http/send-stored-file.js';

const RENDITION_CONTENT = Object.fromEntries(
  Object.values(RENDITION_CONTENT_TYPES).map((type) => [type, { schema: { type: 'string', format: 'binary' } }]),
);

/** The documentation of a rendition's file, with a bearer token or a share link (its own codes). */
export const DocRenditionFile = (...extra: ProblemCode[]) =>
  applyDecorators(
    ApiOperation({
      summary: 'Download the rendition',
      description:
        'The image, as an attachment named after the original (`matterhorn-thumb.webp`). Strong ETag (its SHA-256), ' +
        'immutable caching (a rendition never changes; under a share link: private, no longer than the link lives), ' +
        'If-None-Match, single byte ranges (Range, If-Range). Not ready yet: 409.',
    }),
    ApiOkResponse({ description: 'The image, in its format.', content: RENDITION_CONTENT }),
    ApiResponse({ status: 206, description: 'The requested byte range.', content: RENDITION_CONTENT }),
    ApiResponse({ status: 304, description: 'Not modified (If-None-Match).' }),
    ApiProblems(
      'VALIDATION_FAILED',
      'RENDITION_NOT_FOUND',
      'RENDITION_NOT_READY',
      'RANGE_NOT_SATISFIABLE',
      'STORAGE_UNAVAILABLE',
      ...extra,
    ),
  );

export async function sendRendition(
  readFile: ReadRenditionFileUseCase,
  reader: Reader,
  id: string,
  req: Request,
  res: Response,
  cacheControl: string,
): Promise<void> {
  const { rendition, filename } = await readFile.find(reader, id);
  await sendStoredFile(
    req,
    res,
    {
      sha256: rendition.sha256!,
      bytes: rendition.bytes!,
      contentType: RENDITION_CONTENT_TYPES[rendition.format],
      filename,
      cacheControl,
    },
    (range) => readFile.open(rendition, range),
  );
}
