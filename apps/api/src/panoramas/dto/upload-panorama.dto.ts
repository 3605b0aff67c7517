import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, MaxLength, MinLength } from 'class-validator';
import type { TileFormat } from '#tiles';
import { OverlapField, TileFormatField, TileQualityField, TileSizeField } from '../../common/tile-option-fields.js';

/** The text fields of an upload (validated after the multipart body has been read). */
export class UploadPanoramaFieldsDto {
  @ApiPropertyOptional({ maxLength: 200, description: 'Defaults to the file name without its extension.' })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  title?: string;

  @ApiPropertyOptional({ maxLength: 2000 })
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
}

/** The whole multipart body, for the OpenAPI document. */
export class UploadPanoramaDto extends UploadPanoramaFieldsDto {
  @ApiProperty({ type: 'string', format: 'binary', description: 'JPEG, PNG, WebP or TIFF; judged by its bytes. Up to UPLOAD_MAX_BYTES (1 GiB by default).' })
  file!: unknown;
}
