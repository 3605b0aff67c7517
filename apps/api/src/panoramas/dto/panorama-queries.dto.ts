import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsDate,
  IsIn,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  MaxLength,
  ValidateIf,
} from 'class-validator';
import { type ListPanoramasInput, MAX_TAGS } from '#panoramas';
import { PROJECTIONS, type Projection } from '#panoramas';
import { PageQueryDto } from '../../common/page-query.dto.js';
import { SingleLine } from '../../common/single-line.js';
import { splitTags, TAGS_DESCRIPTION, TagList } from '../../common/tags.js';

/** The filters of a listing of panoramas (yours, a collection's, a shared collection's). */
export class PanoramaFiltersQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ maxLength: 200, description: 'Only panoramas whose title contains this (case-insensitive).' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  title?: string;

  @ApiPropertyOptional({
    maxLength: 1100,
    // No example: Swagger UI would fill the filter in and list nothing.
    description: 'Only panoramas carrying every one of these tags (comma-separated, exact match), e.g. `alps,winter`.',
  })
  @IsOptional()
  @IsString()
  @MaxLength(1100)
  @TagList()
  tags?: string;

  @ApiPropertyOptional({ type: String, format: 'date-time', description: 'Only panoramas uploaded at or after this.' })
  @IsOptional()
  @Type(() => Date)
  @IsDate()
  uploadedFrom?: Date;

  @ApiPropertyOptional({ type: String, format: 'date-time', description: 'Only panoramas uploaded before this.' })
  @IsOptional()
  @Type(() => Date)
  @IsDate()
  uploadedBefore?: Date;
}

export class ListPanoramasQueryDto extends PanoramaFiltersQueryDto {
  @ApiPropertyOptional({
    format: 'uuid',
    description: "Admins: list this user's panoramas. Ignored for everyone else.",
  })
  @IsOptional()
  @IsUUID()
  ownerId?: string;
}

/** The listing's input: the query as validated, its tags split. */
export const listPanoramasInput = (query: PanoramaFiltersQueryDto & { ownerId?: string }): ListPanoramasInput => ({
  ...query,
  tags: query.tags ? splitTags(query.tags) : undefined,
});

export class UpdatePanoramaDto {
  @ApiPropertyOptional({ minLength: 1, maxLength: 200 })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  @Matches(/\S/, { message: 'title must not be blank' })
  @SingleLine()
  title?: string;

  @ApiPropertyOptional({ type: String, nullable: true, maxLength: 2000, description: 'null clears it.' })
  @ValidateIf((_, value) => value !== null && value !== undefined)
  @IsString()
  @MaxLength(2000)
  description?: string | null;

  @ApiPropertyOptional({ enum: PROJECTIONS, enumName: 'Projection', description: 'Corrects what the upload detected.' })
  @IsOptional()
  @IsIn(PROJECTIONS)
  projection?: Projection;

  @ApiPropertyOptional({
    type: [String],
    maxItems: MAX_TAGS,
    example: ['alps', 'winter'],
    description: `Replaces the tags. ${TAGS_DESCRIPTION}`,
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(MAX_TAGS)
  @TagList()
  tags?: string[];
}
