import { open } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { Controller, HttpCode, HttpStatus, Post, Req, Res } from '@nestjs/common';
import { ApiBody, ApiConsumes, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { FILE_EXTENSIONS, CompressImageUseCase, RENDITION_CONTENT_TYPES } from '#renditions';
import { whenClientGone } from '../http/client-gone.js';
import { contentDisposition } from '../http/send-stored-file.js';
import { MULTIPART_UPLOAD_PROBLEMS, readMultipartUpload } from '../http/multipart-upload.js';
import { ApiProblems } from '../http/problem/api-problems.decorator.js';
import { validateDto } from '../http/problem/validation.js';
import { CompressImageDto, CompressImageFieldsDto } from './dto/compress-image.dto.js';

/** What the compress route says about the original and the result, beside the image itself. */
export const COMPRESS_HEADERS = [
  'X-Original-Bytes',
  'X-Original-Width',
  'X-Original-Height',
  'X-Original-Format',
  'X-Result-Bytes',
  'X-Result-Width',
  'X-Result-Height',
];

const integerHeader = (description: string) => ({ description, schema: { type: 'integer' as const } });

@ApiTags('images')
@Controller('images')
export class ImagesController {
  constructor(private readonly compress: CompressImageUseCase) {}

  @Post('compress')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({
    summary: 'Compress, resize or convert an image, answered with the image itself',
    description:
      'multipart/form-data with one `file` part and the rendition fields (a width and/or a height, or neither to keep the ' +
      'size; fit, position, format, quality, effort), in any order. Nothing is stored: the response body is the new image (inline, so Swagger UI ' +
      'shows it), with X-Original-* and X-Result-* headers. The same streaming, byte-sniffing and header-probing rules as an ' +
      'upload, with their own limits (COMPRESS_MAX_BYTES, COMPRESS_MAX_PIXELS); the work is bounded by ' +
      'COMPRESS_TIMEOUT_SECONDS and stops when the client goes away. At most COMPRESS_CONCURRENCY compressions render at ' +
      'once per process and COMPRESS_QUEUE wait (up to COMPRESS_QUEUE_SECONDS); past that the answer is 503 SERVER_BUSY ' +
      'with Retry-After, before the body is read when every place is already taken.',
  })
  @ApiConsumes('multipart/form-data')
  @ApiBody({ type: CompressImageDto })
  @ApiOkResponse({
    description: 'The image, in the format asked for.',
    content: Object.fromEntries(
      Object.values(RENDITION_CONTENT_TYPES).map((type) => [type, { schema: { type: 'string', format: 'binary' } }]),
    ),
    headers: {
      'X-Original-Bytes': integerHeader('Size of the uploaded image.'),
      'X-Original-Width': integerHeader('Width of the uploaded image (upright).'),
      'X-Original-Height': integerHeader('Height of the uploaded image (upright).'),
      'X-Original-Format': { description: 'jpeg, png, webp or tiff.', schema: { type: 'string' } },
      'X-Result-Bytes': integerHeader('Size of the returned image.'),
      'X-Result-Width': integerHeader('Width of the returned image.'),
      'X-Result-Height': integerHeader('Height of the returned image.'),
    },
  })
  @ApiProblems(
    'VALIDATION_FAILED',
    ...MULTIPART_UPLOAD_PROBLEMS,
    'IMAGE_TOO_LARGE',
    'INVALID_IMAGE',
    'INVALID_RENDITION_SPEC',
    'RENDER_FAILED',
    'RENDER_TIMEOUT',
    'SERVER_BUSY',
    'STORAGE_FULL',
  )
  async compressImage(@Req() req: Request, @Res() res: Response): Promise<void> {
    // The client going away (before the answer is complete) stops the work.
    const gone = whenClientGone(res);
    let filename = 'image';
    const result = await readMultipartUpload(
      req,
      async (raw) => ({ ...(await validateDto(CompressImageFieldsDto, raw)) }),
      (source) => {
        filename = (source.filename ?? '').replace(/\.[^.]*$/, '') || 'image';
        return this.compress.execute(
          { content: source.content, declaredBytes: source.declaredBytes, request: () => source.fields() },
          gone,
        );
      },
    );
    // Opened, then unlinked: the bytes live as long as the stream, no file outlasts the answer.
    const file = await open(result.path).finally(() => result.dispose());
    res.status(200);
    res.setHeader('Content-Type', result.contentType);
    res.setHeader('Content-Length', String(result.bytes));
    res.setHeader(
      'Content-Disposition',
      contentDisposition(
        `${filename}-${result.spec.width}x${result.spec.height}.${FILE_EXTENSIONS[result.spec.format]}`,
      ).replace(/^attachment/, 'inline'),
    );
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('X-Original-Bytes', String(result.original.bytes));
    res.setHeader('X-Original-Width', String(result.original.width));
    res.setHeader('X-Original-Height', String(result.original.height));
    res.setHeader('X-Original-Format', result.original.format);
    res.setHeader('X-Result-Bytes', String(result.bytes));
    res.setHeader('X-Result-Width', String(result.spec.width));
    res.setHeader('X-Result-Height', String(result.spec.height));
    await pipeline(file.createReadStream(), res).catch(() => undefined); // client gone: nothing to answer
  }
}
