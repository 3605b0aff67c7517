import { ApiProperty, ApiPropertyOptional, OmitType } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, IsUUID, MaxLength, MinLength } from 'class-validator';
import { PROJECTIONS, type Projection } from '#panoramas';
import type { TileFormat } from '#tiles';
import { SingleLine } from '../../common/single-line.js';
import { TAGS_DESCRIPTION, TagList } from '../../common/tags.js';
import { OverlapField, TileFormatField, TileQualityField, TileSizeField } from '../../common/tile-option-fields.js';

/**
 * The text fields of an upload (validated after the multipart body has been read). The
 * optional text fields have an empty example: Swagger UI otherwise fills the form with the
 * literal "string", which would be stored. An empty field counts as absent.
 */
export class UploadPanoramaFieldsDto {
  @ApiPropertyOptional({
    maxLength: 200,
    example: '',
    description: 'Defaults to the file name without its extension. Empty = absent.',
  })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  @SingleLine()
  title?: string;

  @ApiPropertyOptional({ maxLength: 2000, example: '', description: 'Empty = absent.' })
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  description?: string;

  @TileSizeField()
  tileSize?: number;

  @TileFormatField()
  tileFormat?: TileFormat;

  @TileQualityField()
  tileQuality?: number;

  @OverlapField()
  overlap?: number;

  @ApiPropertyOptional({
    enum: PROJECTIONS,
    enumName: 'Projection',
    description:
      'flat, or equirectangular (a 360° sphere). Absent: equirectangular when the image carries the photo-sphere XMP ' +
      'that 360° cameras and phones write (`GPano:ProjectionType=equirectangular`), else flat: the 2:1 shape alone ' +
      'does not decide (flat panoramas are often cropped 2:1). updatePanorama changes it later.',
  })
  @IsOptional()
  @IsIn(PROJECTIONS)
  projection?: Projection;

  @ApiPropertyOptional({
    example: '',
    maxLength: 1000,
    description:
      'Which rendition presets (RENDITION_PRESETS) to make: comma-separated names, or `none`. Absent or empty = all of them.',
  })
  @IsOptional()
  @IsString()
  @MaxLength(1000)
  @SingleLine()
  presets?: string;

  @ApiPropertyOptional({
    example: '',
    maxLength: 1100,
    description: `Comma-separated. ${TAGS_DESCRIPTION} Empty = none.`,
  })
  @IsOptional()
  @IsString()
  @MaxLength(1100)
  @TagList()
  tags?: string;

  @ApiPropertyOptional({
    format: 'uuid',
    example: '',
    description:
      'Put the panorama in this collection of yours (404 COLLECTION_NOT_FOUND before anything is stored). Empty = none.',
  })
  @IsOptional()
  @IsUUID()
  collectionId?: string;
}

/** The whole multipart body, for the OpenAPI document. */
export class UploadPanoramaDto extends UploadPanoramaFieldsDto {
  @ApiProperty({
    type: 'string',
    format: 'binary',
    description:
      'JPEG, PNG, WebP, TIFF, BMP, GIF (first frame) or AVIF; judged by its bytes. HEIC is refused (415). Up to UPLOAD_MAX_BYTES (1 GiB by default).',
  })
  file!: unknown;
}

/** A batch's text fields: those of an upload but the title (each file's comes from its name). */
export class UploadPanoramasFieldsDto extends OmitType(UploadPanoramaFieldsDto, ['title'] as const) {}

/** The whole multipart batch, for the OpenAPI document. */
export class UploadPanoramasDto extends UploadPanoramasFieldsDto {
  @ApiProperty({
    type: 'array',
    items: { type: 'string', format: 'binary' },
    description:
      'Up to BATCH_MAX_FILES (20 by default) images, after the text fields; each as a single upload would be.',
  })
  files!: unknown[];
}
