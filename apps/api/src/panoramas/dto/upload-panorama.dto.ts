import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Max, MaxLength, Min, MinLength } from 'class-validator';
import { TILE_FORMATS, TILE_OVERLAP_MAX, TILE_SIZE_MAX, TILE_SIZE_MIN, type TileFormat } from '#tiles';

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

  @ApiPropertyOptional({ minimum: TILE_SIZE_MIN, maximum: TILE_SIZE_MAX, default: 256, description: 'Tile edge in pixels.' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(TILE_SIZE_MIN)
  @Max(TILE_SIZE_MAX)
  tileSize?: number;

  @ApiPropertyOptional({ enum: TILE_FORMATS, enumName: 'TileFormat', default: 'jpeg' })
  @IsOptional()
  @IsIn(TILE_FORMATS)
  tileFormat?: TileFormat;

  @ApiPropertyOptional({ minimum: 1, maximum: 100, default: 85, description: 'JPEG/WebP quality (ignored for PNG).' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(100)
  tileQuality?: number;

  @ApiPropertyOptional({ minimum: 0, maximum: TILE_OVERLAP_MAX, default: 1, description: 'Pixels each tile repeats of its neighbours (Deep Zoom overlap).' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(TILE_OVERLAP_MAX)
  overlap?: number;
}

/** The whole multipart body, for the OpenAPI document. */
export class UploadPanoramaDto extends UploadPanoramaFieldsDto {
  @ApiProperty({ type: 'string', format: 'binary', description: 'JPEG, PNG, WebP or TIFF; judged by its bytes. Up to UPLOAD_MAX_BYTES (1 GiB by default).' })
  file!: unknown;
}
