import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsOptional, Max, Min } from 'class-validator';

class IiifSizeDto {
  @ApiProperty({ type: 'integer' }) width!: number;
  @ApiProperty({ type: 'integer' }) height!: number;
}

class IiifTileDto {
  @ApiProperty({ type: 'integer' }) width!: number;
  @ApiProperty({ type: 'integer' }) height!: number;
  @ApiProperty({ type: 'integer', isArray: true, example: [1, 2, 4, 8] }) scaleFactors!: number[];
}

/** IIIF Image API 3.0 image information (info.json). */
export class IiifInfoDto {
  @ApiProperty({ name: '@context', example: 'http://iiif.io/api/image/3/context.json' }) '@context'!: string;
  @ApiProperty({ description: 'The base URI of this image service, as the client reached it.' }) id!: string;
  @ApiProperty({ enum: ['ImageService3'] }) type!: 'ImageService3';
  @ApiProperty({ enum: ['http://iiif.io/api/image'] }) protocol!: string;
  @ApiProperty({ enum: ['level2'] }) profile!: 'level2';
  @ApiProperty({ type: 'integer' }) width!: number;
  @ApiProperty({ type: 'integer' }) height!: number;
  @ApiProperty({ type: 'integer', description: 'Widest answer this server renders.' }) maxWidth!: number;
  @ApiProperty({ type: 'integer', description: 'Tallest answer this server renders.' }) maxHeight!: number;
  @ApiProperty({ type: 'integer', description: 'Most pixels of one answer.' }) maxArea!: number;
  @ApiProperty({ type: IiifTileDto, isArray: true }) tiles!: IiifTileDto[];
  @ApiProperty({
    type: IiifSizeDto,
    isArray: true,
    description: 'Whole-image sizes answered cheaply (pyramid levels).',
  })
  sizes!: IiifSizeDto[];
  @ApiProperty({ type: 'string', isArray: true, example: ['webp'] }) extraFormats!: string[];
  @ApiProperty({ type: 'string', isArray: true }) extraQualities!: string[];
  @ApiProperty({ type: 'string', isArray: true }) extraFeatures!: string[];
}

export class CreateShareDto {
  @ApiPropertyOptional({
    type: 'integer',
    minimum: 60,
    maximum: 31_622_400,
    description:
      'How long the link works, in seconds (default SHARE_DEFAULT_TTL_SECONDS, 7 days; capped by SHARE_MAX_TTL_SECONDS, ' +
      '30 days: expiresAt says what was granted).',
    example: 86400,
  })
  @IsOptional()
  @IsInt()
  @Min(60)
  @Max(31_622_400)
  ttlSeconds?: number;
}

export class TileSetShareDto {
  @ApiProperty({ format: 'date-time' }) expiresAt!: string;
  @ApiProperty({ description: 'Deep Zoom descriptor: give it to OpenSeadragon (or any DZI viewer) as tileSources.' })
  dziUrl!: string;
  @ApiProperty({
    description:
      'IIIF Image API 3.0 base URI: `{iiifUrl}/info.json` opens in any IIIF viewer (Mirador, OpenSeadragon, UV).',
  })
  iiifUrl!: string;
  @ApiProperty({ description: 'The JSON manifest (levels, tile URL template).' }) manifestUrl!: string;
  @ApiProperty({ description: 'The whole tile set as a zip.' }) archiveUrl!: string;
}

export class RenditionShareDto {
  @ApiProperty({ format: 'date-time' }) expiresAt!: string;
  @ApiProperty({ description: 'The rendition file: usable in an <img> anywhere, no token needed.' }) fileUrl!: string;
}
