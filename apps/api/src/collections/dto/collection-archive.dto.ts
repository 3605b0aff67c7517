import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, Matches } from 'class-validator';

export class CollectionArchiveQueryDto {
  @ApiPropertyOptional({
    example: 'originals,preview',
    default: 'originals',
    description: 'Comma-separated: `originals` and rendition preset names (at most 20).',
  })
  @IsOptional()
  @IsString()
  @Matches(/^[a-z][a-z0-9-]{0,31}(,[a-z][a-z0-9-]{0,31}){0,19}$/, {
    message: 'include must be originals or preset names, comma-separated',
  })
  include?: string;
}
