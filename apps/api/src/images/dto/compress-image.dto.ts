import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { MAX_RENDITION_SIDE } from '#renditions';
import { RenditionFieldsDto } from '../../common/rendition-fields.js';

/** Swagger UI fills a form's inputs with the schema's example (or a made-up one): empty, they stay empty. */
const blank = (description: string, minimum: number, maximum: number) =>
  ApiPropertyOptional({ type: 'integer', minimum, maximum, example: '', description });

/**
 * The text fields of a compress request (validated once the multipart body has been read):
 * the rendition fields, documented with empty examples for the form.
 */
export class CompressImageFieldsDto extends RenditionFieldsDto {
  @blank('Largest width in pixels (neither width nor height: the same size). Empty = absent.', 1, MAX_RENDITION_SIDE)
  declare width?: number;

  @blank('Largest height in pixels; the aspect ratio is always kept. Empty = absent.', 1, MAX_RENDITION_SIDE)
  declare height?: number;

  @blank('JPEG, WebP and AVIF quality (default 82, 80 and 50). Empty = the default.', 1, 100)
  declare quality?: number;

  @blank('WebP (0-6, default 4) and AVIF (0-9, default 2) encoder effort. Empty = the default.', 0, 9)
  declare effort?: number;
}

/** The whole multipart body, for the OpenAPI document (Swagger UI shows a file picker). */
export class CompressImageDto extends CompressImageFieldsDto {
  @ApiProperty({
    type: 'string',
    format: 'binary',
    description:
      'JPEG, PNG, WebP, TIFF, BMP, GIF (first frame) or AVIF; judged by its bytes. Up to COMPRESS_MAX_BYTES and COMPRESS_MAX_PIXELS.',
  })
  file!: unknown;
}
