import { ApiProperty } from '@nestjs/swagger';
import {
  TILE_FORMATS,
  TILE_LAYOUTS,
  TILE_SET_STATUSES,
  type TileFormat,
  type TileLayout,
  type TileSet,
  type TileSetStatus,
} from '#tiles';

const iso = (date: Date | null) => (date ? date.toISOString() : null);

export class TileSetDto {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ format: 'uuid' })
  panoramaId!: string;

  @ApiProperty({ enum: TILE_SET_STATUSES, enumName: 'TileSetStatus' })
  status!: TileSetStatus;

  @ApiProperty({ minimum: 0, maximum: 1, description: 'Tiles written / tiles expected.' })
  progress!: number;

  @ApiProperty({ type: 'integer', example: 256 })
  tileSize!: number;

  @ApiProperty({ enum: TILE_FORMATS, enumName: 'TileFormat' })
  format!: TileFormat;

  @ApiProperty({ type: 'integer', example: 85 })
  quality!: number;

  @ApiProperty({ type: 'integer', example: 1 })
  overlap!: number;

  @ApiProperty({
    enum: TILE_LAYOUTS,
    enumName: 'TileLayout',
    description:
      'deepzoom: the image as uploaded. sphere: made for 360° viewers from an equirectangular panorama (scaled to a ' +
      'grid of whole tiles, 2:1; see getSphereDescriptor).',
  })
  layout!: TileLayout;

  @ApiProperty({ type: 'integer', nullable: true, description: 'Pyramid levels, once known.' })
  levels!: number | null;

  @ApiProperty({ type: 'integer', nullable: true })
  tileCount!: number | null;

  @ApiProperty({ type: 'integer', nullable: true, description: 'Total bytes of all tiles, once ready.' })
  bytes!: number | null;

  @ApiProperty({ type: String, nullable: true, description: 'Why it failed (status failed).' })
  errorCode!: string | null;

  @ApiProperty({ format: 'date-time' })
  createdAt!: string;

  @ApiProperty({ format: 'date-time' })
  updatedAt!: string;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  startedAt!: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  completedAt!: string | null;

  static from(t: TileSet): TileSetDto {
    return {
      id: t.id,
      panoramaId: t.panoramaId,
      status: t.status,
      progress: t.progress,
      tileSize: t.tileSize,
      format: t.format,
      quality: t.quality,
      overlap: t.overlap,
      layout: t.layout,
      levels: t.levels,
      tileCount: t.tileCount,
      bytes: t.bytes,
      errorCode: t.errorCode,
      createdAt: t.createdAt.toISOString(),
      updatedAt: t.updatedAt.toISOString(),
      startedAt: iso(t.startedAt),
      completedAt: iso(t.completedAt),
    };
  }
}
