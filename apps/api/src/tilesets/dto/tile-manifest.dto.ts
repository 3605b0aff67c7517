import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsOptional } from 'class-validator';
import { TILE_FORMATS, TILE_LAYOUTS, type TileFormat, type TileLayout } from '#tiles';

export class LevelDto {
  @ApiProperty({ type: 'integer' }) level!: number;
  @ApiProperty({ type: 'integer' }) width!: number;
  @ApiProperty({ type: 'integer' }) height!: number;
  @ApiProperty({ type: 'integer' }) cols!: number;
  @ApiProperty({ type: 'integer' }) rows!: number;
}

export class ManifestTileDto {
  @ApiProperty({ example: '13/4_2.jpeg', description: '{level}/{col}_{row}.{format}' })
  path!: string;

  @ApiProperty({ type: 'integer' }) bytes!: number;

  @ApiProperty({ description: "Hex SHA-256; also the tile's ETag." })
  sha256!: string;
}

export class TileManifestDto {
  @ApiProperty({ format: 'uuid' }) tileSetId!: string;
  @ApiProperty({ type: 'integer' }) width!: number;
  @ApiProperty({ type: 'integer' }) height!: number;
  @ApiProperty({ type: 'integer' }) tileSize!: number;
  @ApiProperty({ type: 'integer' }) overlap!: number;
  @ApiProperty({ enum: TILE_FORMATS, enumName: 'TileFormat' }) format!: TileFormat;
  @ApiProperty({
    enum: TILE_LAYOUTS,
    enumName: 'TileLayout',
    description: 'sphere: a 360° panorama, read it with getSphereDescriptor (or its shared twin).',
  })
  layout!: TileLayout;
  @ApiProperty({ type: [LevelDto] }) levels!: LevelDto[];
  @ApiProperty({ type: 'integer' }) tileCount!: number;
  @ApiProperty({ type: 'integer', description: 'Total bytes of all tiles.' }) bytes!: number;

  @ApiProperty({
    example: '/v1/tilesets/{id}/image_files/{level}/{col}_{row}.jpeg',
    description: 'Tile URL with {level}, {col}, {row} to fill in: a path, or an absolute URL under a share link.',
  })
  tileUrlTemplate!: string;

  @ApiProperty({
    example: '/v1/tilesets/{id}/image.dzi',
    description: 'A path, or an absolute URL under a share link.',
  })
  deepZoomUrl!: string;

  @ApiPropertyOptional({ type: [ManifestTileDto], description: 'Every tile (with ?tiles=true).' })
  tiles?: ManifestTileDto[];
}

export class ManifestQueryDto {
  @ApiPropertyOptional({ description: 'Include every tile with its size and SHA-256.' })
  @IsOptional()
  @Transform(({ value }) => value === 'true' || value === true)
  @IsBoolean()
  tiles?: boolean;
}
