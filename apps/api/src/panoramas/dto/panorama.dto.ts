import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ProblemDto } from '../../http/problem/problem.dto.js';
import { IMAGE_FORMATS, type ImageFormat, PROJECTIONS, type Projection } from '#panoramas';
import type { PanoramaWithDerivatives } from '#workflows';
import type { Page } from '#shared-kernel';
import { RenditionDto } from '../../renditions/dto/rendition.dto.js';
import { TileSetDto } from '../../tilesets/dto/tile-set.dto.js';

export class PanoramaDto {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ format: 'uuid' })
  ownerId!: string;

  @ApiProperty({ example: 'Matterhorn at dawn' })
  title!: string;

  @ApiProperty({ type: String, nullable: true })
  description!: string | null;

  @ApiProperty({ example: 'matterhorn.jpg', description: 'The uploaded file name, sanitised; metadata only.' })
  originalFilename!: string;

  @ApiProperty({ example: 'image/jpeg' })
  contentType!: string;

  @ApiProperty({ enum: IMAGE_FORMATS, enumName: 'ImageFormat' })
  format!: ImageFormat;

  @ApiProperty({ type: 'integer', example: 314572800 })
  bytes!: number;

  @ApiProperty({ type: 'integer', example: 40000 })
  width!: number;

  @ApiProperty({ type: 'integer', example: 10000 })
  height!: number;

  @ApiProperty({
    enum: PROJECTIONS,
    enumName: 'Projection',
    description: 'flat, or equirectangular: a 360° sphere (detected at upload; updatePanorama corrects it).',
  })
  projection!: Projection;

  @ApiProperty({ type: [String], example: ['alps', 'winter'], description: 'Free labels (search with ?tags=).' })
  tags!: string[];

  @ApiProperty({
    example: '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08',
    description: 'Hex SHA-256 of the original.',
  })
  sha256!: string;

  @ApiProperty({ format: 'date-time' })
  createdAt!: string;

  @ApiProperty({ format: 'date-time' })
  updatedAt!: string;

  @ApiProperty({ type: [TileSetDto] })
  tileSets!: TileSetDto[];

  @ApiProperty({
    type: [RenditionDto],
    description: 'Its renditions, oldest first: the presets made for every upload, and those asked for.',
  })
  renditions!: RenditionDto[];

  @ApiPropertyOptional({
    description:
      "Only in an upload's answer (200) when you had already uploaded these bytes and the upload asked for something " +
      'the existing panorama does not have: what was not applied, and how to change it.',
    example:
      'You had already uploaded this image: this is that panorama, still flat. To show it as a 360° sphere: ' +
      'PATCH /v1/panoramas/{id} with {"projection":"equirectangular"}.',
  })
  notice?: string;

  static from(view: PanoramaWithDerivatives & { projectionNotApplied?: Projection }): PanoramaDto {
    const { panorama: p, tileSets, renditions, projectionNotApplied } = view;
    return {
      ...(projectionNotApplied
        ? {
            notice:
              `You had already uploaded this image: this is that panorama, still ${p.projection === 'flat' ? 'flat' : 'a 360° sphere'}. ` +
              `To show it ${projectionNotApplied === 'flat' ? 'flat' : 'as a 360° sphere'}: PATCH /v1/panoramas/${p.id} ` +
              `with {"projection":"${projectionNotApplied}"}.`,
          }
        : {}),
      id: p.id,
      ownerId: p.ownerId,
      title: p.title,
      description: p.description,
      originalFilename: p.originalFilename,
      contentType: p.contentType(),
      format: p.format,
      bytes: p.bytes,
      width: p.width,
      height: p.height,
      projection: p.projection,
      tags: [...p.tags],
      sha256: p.sha256,
      createdAt: p.createdAt.toISOString(),
      updatedAt: p.updatedAt.toISOString(),
      tileSets: tileSets.map((t) => TileSetDto.from(t)),
      renditions: renditions.map((r) => RenditionDto.from(r)),
    };
  }
}

export class PanoramaPageDto {
  @ApiProperty({ type: [PanoramaDto] })
  items!: PanoramaDto[];

  @ApiProperty({
    type: String,
    nullable: true,
    description: 'Pass as `cursor` for the next page; null on the last page.',
  })
  nextCursor!: string | null;

  static from(page: Page<PanoramaWithDerivatives>): PanoramaPageDto {
    return { items: page.items.map((view) => PanoramaDto.from(view)), nextCursor: page.nextCursor };
  }
}

export class BatchItemDto {
  @ApiProperty({
    type: String,
    nullable: true,
    example: 'matterhorn.jpg',
    description: "The file part's name; null for the outcome of the request itself.",
  })
  filename!: string | null;

  @ApiProperty({
    type: 'integer',
    example: 202,
    description:
      "202 stored (tile set and presets queued), 200 the same bytes as one of your panoramas, else the problem's status.",
  })
  status!: number;

  @ApiPropertyOptional({ type: PanoramaDto })
  panorama?: PanoramaDto;

  @ApiPropertyOptional({ type: ProblemDto })
  problem?: ProblemDto;
}

export class BatchResultDto {
  @ApiProperty({ type: [BatchItemDto], description: 'One per file part, in order.' })
  items!: BatchItemDto[];
}
