import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsUUID } from 'class-validator';
import type { TileSetRepair } from '#tiles';
import type { FullIntegrityReport } from '#workflows';

const REPAIRS = ['recut', 'fail'] as const;

/** What to check: nothing = everything; or one tile set; or one panorama. */
export class CheckIntegrityDto {
  @ApiPropertyOptional({ format: 'uuid', description: "Check this tile set's objects only." })
  @IsOptional()
  @IsUUID()
  tileSetId?: string;

  @ApiPropertyOptional({ format: 'uuid', description: 'Check this panorama: its original and every tile set.' })
  @IsOptional()
  @IsUUID()
  panoramaId?: string;

  @ApiPropertyOptional({
    enum: REPAIRS,
    description:
      'What to do with a damaged tile set or rendition: make it again from its original (recut), or mark it failed (fail). ' +
      'Absent: only report. Originals cannot be repaired.',
  })
  @IsOptional()
  @IsIn(REPAIRS)
  repair?: TileSetRepair;
}

class ObjectFactsDto {
  @ApiProperty({ type: 'integer' }) bytes!: number;
  @ApiProperty({ example: '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08' }) sha256!: string;
}

export class DamagedObjectDto {
  @ApiProperty({ example: 'tilesets/3f0c8a2e-6c61-4a0e-9a3e-0f6d0e1b2c3d/12/3_4.jpeg' }) key!: string;
  @ApiProperty({ enum: ['missing', 'size', 'checksum'] }) problem!: 'missing' | 'size' | 'checksum';
  @ApiProperty({ type: ObjectFactsDto, description: 'As recorded when the object was written.' })
  expected!: ObjectFactsDto;
  @ApiPropertyOptional({ type: ObjectFactsDto, description: 'What is stored instead (absent when missing).' })
  found?: ObjectFactsDto;
  @ApiProperty({ format: 'uuid' }) panoramaId!: string;
  @ApiPropertyOptional({ format: 'uuid', description: "Set for a tile set's objects." }) tileSetId?: string;
  @ApiPropertyOptional({ format: 'uuid', description: "Set for a rendition's file." }) renditionId?: string;
}

export class RepairDto {
  @ApiPropertyOptional({ format: 'uuid', description: 'The tile set repaired (or the rendition).' }) tileSetId?: string;
  @ApiPropertyOptional({ format: 'uuid', description: 'The rendition repaired (or the tile set).' })
  renditionId?: string;
  @ApiProperty({ enum: REPAIRS }) repair!: TileSetRepair;
  @ApiProperty({ description: 'False when it was no longer in a state to be repaired so.' })
  applied!: boolean;
}

export class IntegrityReportDto {
  @ApiProperty({ type: 'integer' }) checkedObjects!: number;
  @ApiProperty({ type: 'integer' }) checkedBytes!: number;
  @ApiProperty({ type: [DamagedObjectDto] }) damaged!: DamagedObjectDto[];
  @ApiProperty({ type: [RepairDto] }) repairs!: RepairDto[];

  static from(report: FullIntegrityReport): IntegrityReportDto {
    return report;
  }
}
