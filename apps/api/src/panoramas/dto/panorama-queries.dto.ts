import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, IsUUID, Matches, MaxLength, ValidateIf } from 'class-validator';
import { PROJECTIONS, type Projection } from '#panoramas';
import { PageQueryDto } from '../../common/page-query.dto.js';
import { SingleLine } from '../../common/single-line.js';

export class ListPanoramasQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ maxLength: 200, description: 'Only panoramas whose title contains this (case-insensitive).' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  title?: string;

  @ApiPropertyOptional({
    format: 'uuid',
    description: "Admins: list this user's panoramas. Ignored for everyone else.",
  })
  @IsOptional()
  @IsUUID()
  ownerId?: string;
}

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
}
