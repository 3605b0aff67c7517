import { ApiProperty } from '@nestjs/swagger';

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

class SphereLevelDto {
  @ApiProperty({ type: 'integer', description: 'Width of the whole sphere at this level (pixels).' }) width!: number;
  @ApiProperty({ type: 'integer' }) cols!: number;
  @ApiProperty({ type: 'integer' }) rows!: number;
  @ApiProperty({ type: 'integer', description: 'The Deep Zoom level to put in tileUrlTemplate.' }) level!: number;
}

/**
 * What Photo Sphere Viewer's equirectangular tiles adapter needs, as it asks for it:
 * `panorama: { levels, baseUrl, tileUrl: (col, row, i) => template with levels[i].level }`.
 */
export class SphereDescriptorDto {
  @ApiProperty({ type: 'integer' }) tileSize!: number;
  @ApiProperty({ type: SphereLevelDto, isArray: true, description: 'Smallest first.' }) levels!: SphereLevelDto[];
  @ApiProperty({
    example: '/v1/tilesets/{id}/image_files/{level}/{col}_{row}.jpeg',
    description: 'A path, or an absolute URL under a share link (so that it works from a page on any site).',
  })
  tileUrlTemplate!: string;
  @ApiProperty({
    description: 'A small image of the whole sphere, shown while the tiles load (absolute under a share link).',
  })
  baseUrl!: string;
}
