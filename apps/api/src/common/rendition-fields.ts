import { applyDecorators } from '@nestjs/common';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, Max, Min } from 'class-validator';
import {
  CROP_POSITIONS,
  type CropPosition,
  MAX_RENDITION_SIDE,
  RENDITION_FITS,
  RENDITION_FORMATS,
  type RenditionFit,
  type RenditionFormat,
} from '#renditions';

/*
 * A rendition's fields, validated and documented once, for the create-rendition JSON body
 * and the compress route's multipart fields (strings, hence the Number conversion). What
 * depends on several fields (a width or a height; effort per format; position with cover)
 * is the domain's check: INVALID_RENDITION_SPEC.
 */
const wholeNumber = (min: number, max: number) => [IsOptional(), Type(() => Number), IsInt(), Min(min), Max(max)];
const side = (name: string) =>
  applyDecorators(
    ApiPropertyOptional({
      type: 'integer',
      minimum: 1,
      maximum: MAX_RENDITION_SIDE,
      description: `Largest ${name} in pixels. Give a width, a height or both: the aspect ratio is always kept, and nothing is enlarged.`,
    }),
    ...wholeNumber(1, MAX_RENDITION_SIDE),
  );

export const OUTPUT_FORMATS = [...RENDITION_FORMATS, 'original'] as const;

export class RenditionFieldsDto {
  @side('width')
  width?: number;

  @side('height')
  height?: number;

  @ApiPropertyOptional({
    enum: RENDITION_FITS,
    enumName: 'RenditionFit',
    default: 'inside',
    description: '`inside`: fit within width x height. `cover`: fill width x height exactly, cropping the overflow.',
  })
  @IsOptional()
  @IsIn(RENDITION_FITS)
  fit?: RenditionFit;

  @ApiPropertyOptional({
    enum: CROP_POSITIONS,
    enumName: 'CropPosition',
    default: 'center',
    description:
      'What a `cover` crop keeps: a side or corner, or `entropy` / `attention` (the busiest / most salient part).',
  })
  @IsOptional()
  @IsIn(CROP_POSITIONS)
  position?: CropPosition;

  @ApiPropertyOptional({
    enum: OUTPUT_FORMATS,
    enumName: 'RenditionOutputFormat',
    default: 'original',
    description: "`original`: the image's own format (JPEG for a TIFF, PNG for a BMP or GIF).",
  })
  @IsOptional()
  @IsIn(OUTPUT_FORMATS)
  format?: RenditionFormat | 'original';

  @ApiPropertyOptional({
    type: 'integer',
    minimum: 1,
    maximum: 100,
    description: 'JPEG, WebP and AVIF quality (default 82, 80 and 50); ignored for PNG.',
  })
  @Type(() => Number)
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(100)
  quality?: number;

  @ApiPropertyOptional({
    type: 'integer',
    minimum: 0,
    maximum: 9,
    description:
      'Encoder effort: WebP 0-6 (default 4), AVIF 0-9 (default 2; higher is much slower). Not for JPEG or PNG.',
  })
  @Type(() => Number)
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(9)
  effort?: number;
}
