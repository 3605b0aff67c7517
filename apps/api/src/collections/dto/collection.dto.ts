import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  MaxLength,
  ValidateIf,
} from 'class-validator';
import { type Collection, type CollectionStatus, MAX_PANORAMAS_PER_CHANGE, type StatusCounts } from '#collections';
import { SingleLine } from '../../common/single-line.js';

export class CreateCollectionDto {
  @ApiProperty({ minLength: 1, maxLength: 200, example: 'Alps 2026' })
  @IsString()
  @MaxLength(200)
  @Matches(/\S/, { message: 'name must not be blank' })
  @SingleLine()
  name!: string;

  @ApiPropertyOptional({ maxLength: 2000, example: '' })
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  description?: string;
}

export class UpdateCollectionDto {
  @ApiPropertyOptional({ minLength: 1, maxLength: 200 })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  @Matches(/\S/, { message: 'name must not be blank' })
  @SingleLine()
  name?: string;

  @ApiPropertyOptional({ type: String, nullable: true, maxLength: 2000, description: 'null or empty removes it.' })
  @ValidateIf((_, value) => value !== null && value !== undefined)
  @IsString()
  @MaxLength(2000)
  description?: string | null;
}

export class CollectionPanoramasDto {
  @ApiProperty({
    type: [String],
    format: 'uuid',
    minItems: 1,
    maxItems: MAX_PANORAMAS_PER_CHANGE,
    description: 'Your panoramas (one that is not: 404, and none is added).',
  })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_PANORAMAS_PER_CHANGE)
  @IsUUID('all', { each: true })
  panoramaIds!: string[];
}

export class CollectionDto {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ format: 'uuid' })
  ownerId!: string;

  @ApiProperty({ example: 'Alps 2026' })
  name!: string;

  @ApiProperty({ type: String, nullable: true })
  description!: string | null;

  @ApiProperty({ format: 'date-time' })
  createdAt!: string;

  @ApiProperty({ format: 'date-time' })
  updatedAt!: string;

  static from(collection: Collection): CollectionDto {
    const p = collection.props;
    return {
      id: p.id,
      ownerId: p.ownerId,
      name: p.name,
      description: p.description,
      createdAt: p.createdAt.toISOString(),
      updatedAt: p.updatedAt.toISOString(),
    };
  }
}

export class CollectionPageDto {
  @ApiProperty({ type: [CollectionDto] })
  items!: CollectionDto[];

  @ApiProperty({ type: String, nullable: true })
  nextCursor!: string | null;
}

export class StatusCountsDto {
  @ApiProperty({ type: 'integer' })
  queued!: number;

  @ApiProperty({ type: 'integer' })
  processing!: number;

  @ApiProperty({ type: 'integer' })
  ready!: number;

  @ApiProperty({ type: 'integer' })
  failed!: number;
}

export class CollectionStatusDto {
  @ApiProperty({ format: 'uuid' })
  collectionId!: string;

  @ApiProperty({ type: 'integer', description: 'Panoramas in the collection.' })
  panoramas!: number;

  @ApiProperty({ type: StatusCountsDto, description: "The panoramas' tile sets by status." })
  tileSets!: StatusCountsDto;

  @ApiProperty({ type: StatusCountsDto, description: "The panoramas' renditions by status." })
  renditions!: StatusCountsDto;

  @ApiProperty({ minimum: 0, maximum: 1, example: 0.42, description: 'Mean progress of every tile set and rendition.' })
  progress!: number;

  @ApiProperty({ description: 'Nothing queued or processing (and at least one panorama).' })
  complete!: boolean;

  @ApiProperty({
    type: String,
    format: 'date-time',
    nullable: true,
    description: 'When collection.completed was last raised (after COLLECTION_SETTLE_SECONDS without a change).',
  })
  completedAt!: string | null;

  static from(status: CollectionStatus): CollectionStatusDto {
    const copy = (counts: StatusCounts): StatusCountsDto => ({ ...counts });
    return {
      collectionId: status.collectionId,
      panoramas: status.panoramas,
      tileSets: copy(status.tileSets),
      renditions: copy(status.renditions),
      progress: status.progress,
      complete: status.complete,
      completedAt: status.completedAt?.toISOString() ?? null,
    };
  }
}
