import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsOptional, IsString, IsUUID, Matches } from 'class-validator';

export const ARCHIVE_MAX_PANORAMAS = 100;

export class ArchiveRequestDto {
  @ApiProperty({
    type: [String],
    format: 'uuid',
    minItems: 1,
    maxItems: ARCHIVE_MAX_PANORAMAS,
    description: 'Your panoramas to include, in the order wanted (an id given twice counts once).',
  })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(ARCHIVE_MAX_PANORAMAS)
  @IsUUID('all', { each: true })
  ids!: string[];

  @ApiPropertyOptional({
    type: [String],
    default: ['originals'],
    maxItems: 20,
    example: ['originals', 'preview'],
    description:
      'What to put in for each panorama: `originals`, and rendition preset names (RENDITION_PRESETS). A preset not ready ' +
      'for a panorama is left out and listed under `missing` in index.json.',
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(20)
  @IsString({ each: true })
  @Matches(/^[a-z][a-z0-9-]{0,31}$/, { each: true, message: 'each include must be originals or a preset name' })
  include?: string[];
}
