import { applyDecorators } from '@nestjs/common';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, Max, Min } from 'class-validator';
import { DEFAULT_TILE_OPTIONS, TILE_FORMATS, TILE_OVERLAP_MAX, TILE_SIZE_MAX, TILE_SIZE_MIN } from '#tiles';

/*
 * The tiling options, validated and documented once, for the upload's multipart fields
 * (strings, hence the Number conversion) and the create-tile-set JSON body alike.
 */
const wholeNumber = (min: number, max: number) => [IsOptional(), Type(() => Number), IsInt(), Min(min), Max(max)];

export const TileSizeField = () =>
  applyDecorators(
    ApiPropertyOptional({
      type: 'integer',
      minimum: TILE_SIZE_MIN,
      maximum: TILE_SIZE_MAX,
      default: DEFAULT_TILE_OPTIONS.tileSize,
      description: 'Tile edge in pixels.',
    }),
    ...wholeNumber(TILE_SIZE_MIN, TILE_SIZE_MAX),
  );

export const TileFormatField = () =>
  applyDecorators(
    ApiPropertyOptional({ enum: TILE_FORMATS, enumName: 'TileFormat', default: DEFAULT_TILE_OPTIONS.format }),
    IsOptional(),
    IsIn(TILE_FORMATS),
  );

export const TileQualityField = () =>
  applyDecorators(
    ApiPropertyOptional({
      type: 'integer',
      minimum: 1,
      maximum: 100,
      default: DEFAULT_TILE_OPTIONS.quality,
      description: 'JPEG/WebP quality (ignored for PNG).',
    }),
    ...wholeNumber(1, 100),
  );

export const OverlapField = () =>
  applyDecorators(
    ApiPropertyOptional({
      type: 'integer',
      minimum: 0,
      maximum: TILE_OVERLAP_MAX,
      default: DEFAULT_TILE_OPTIONS.overlap,
      description:
        'Pixels each tile repeats of its neighbours (Deep Zoom overlap). 0, the default, lets the tiles IIIF viewers ' +
        'ask for be answered with the stored tiles; viewers show either seamlessly.',
    }),
    ...wholeNumber(0, TILE_OVERLAP_MAX),
  );
