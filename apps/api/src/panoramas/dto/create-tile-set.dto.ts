import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsInt, IsOptional, Max, Min } from 'class-validator';
import { TILE_FORMATS, TILE_OVERLAP_MAX, TILE_SIZE_MAX, TILE_SIZE_MIN, type TileFormat } from '#tiles';

export class CreateTileSetDto {
  @ApiPropertyOptional({ minimum: TILE_SIZE_MIN, maximum: TILE_SIZE_MAX, default: 256 })
  @IsOptional()
  @IsInt()
  @Min(TILE_SIZE_MIN)
  @Max(TILE_SIZE_MAX)
  tileSize?: number;

  @ApiPropertyOptional({ enum: TILE_FORMATS, enumName: 'TileFormat', default: 'jpeg' })
  @IsOptional()
  @IsIn(TILE_FORMATS)
  format?: TileFormat;

  @ApiPropertyOptional({ minimum: 1, maximum: 100, default: 85, description: 'JPEG/WebP quality (ignored for PNG).' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(100)
  quality?: number;

  @ApiPropertyOptional({ minimum: 0, maximum: TILE_OVERLAP_MAX, default: 1 })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(TILE_OVERLAP_MAX)
  overlap?: number;
}
