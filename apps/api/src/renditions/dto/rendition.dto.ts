import { ApiProperty } from '@nestjs/swagger';
import {
  CROP_POSITIONS,
  type CropPosition,
  RENDITION_CONTENT_TYPES,
  RENDITION_FITS,
  RENDITION_FORMATS,
  RENDITION_STATUSES,
  type Rendition,
  type RenditionFit,
  type RenditionFormat,
  type RenditionStatus,
} from '#renditions';
import { RenditionFieldsDto } from '../../common/rendition-fields.js';

const iso = (date: Date | null) => (date ? date.toISOString() : null);

export class CreateRenditionDto extends RenditionFieldsDto {}

export class RenditionLinksDto {
  @ApiProperty({ example: '/v1/renditions/0b6c…' })
  self!: string;

  @ApiProperty({ example: '/v1/renditions/0b6c…/file', description: 'The image, once ready.' })
  file!: string;

  @ApiProperty({
    example: '/v1/renditions/0b6c…/events',
    description: 'Server-Sent Events until it is ready or failed.',
  })
  events!: string;
}

export class RenditionDto {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ format: 'uuid' })
  panoramaId!: string;

  @ApiProperty({
    type: String,
    nullable: true,
    example: 'thumb',
    description: 'The preset it was made for (RENDITION_PRESETS); null when asked for by hand.',
  })
  name!: string | null;

  @ApiProperty({ enum: RENDITION_STATUSES, enumName: 'RenditionStatus' })
  status!: RenditionStatus;

  @ApiProperty({ minimum: 0, maximum: 1, description: '0 until it is made, 1 once ready.' })
  progress!: number;

  @ApiProperty({ type: 'integer', example: 320, description: 'Exact width of the image.' })
  width!: number;

  @ApiProperty({ type: 'integer', example: 160, description: 'Exact height of the image.' })
  height!: number;

  @ApiProperty({ enum: RENDITION_FITS, enumName: 'RenditionFit' })
  fit!: RenditionFit;

  @ApiProperty({ enum: CROP_POSITIONS, enumName: 'CropPosition', nullable: true, description: 'For a cover crop.' })
  position!: CropPosition | null;

  @ApiProperty({ enum: RENDITION_FORMATS, enumName: 'RenditionFormat' })
  format!: RenditionFormat;

  @ApiProperty({ example: 'image/webp' })
  contentType!: string;

  @ApiProperty({ type: 'integer', nullable: true, example: 80, description: 'null for PNG.' })
  quality!: number | null;

  @ApiProperty({ type: 'integer', nullable: true, description: 'WebP and AVIF encoder effort; null otherwise.' })
  effort!: number | null;

  @ApiProperty({ type: 'integer', nullable: true, description: 'Size of the file, once ready.' })
  bytes!: number | null;

  @ApiProperty({ type: String, nullable: true, description: 'Hex SHA-256 of the file (its ETag), once ready.' })
  sha256!: string | null;

  @ApiProperty({
    type: String,
    nullable: true,
    example: 'QUOTA_EXCEEDED',
    description:
      'Why it failed (status failed): RENDER_FAILED, RENDER_TIMEOUT, QUOTA_EXCEEDED... Asking for it again retries.',
  })
  errorCode!: string | null;

  @ApiProperty({ type: RenditionLinksDto })
  links!: RenditionLinksDto;

  @ApiProperty({ format: 'date-time' })
  createdAt!: string;

  @ApiProperty({ format: 'date-time' })
  updatedAt!: string;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  completedAt!: string | null;

  static from(r: Rendition): RenditionDto {
    const self = `/v1/renditions/${r.id}`;
    return {
      id: r.id,
      panoramaId: r.panoramaId,
      name: r.name,
      status: r.status,
      progress: r.progress(),
      width: r.width,
      height: r.height,
      fit: r.fit,
      position: r.position,
      format: r.format,
      contentType: RENDITION_CONTENT_TYPES[r.format],
      quality: r.quality,
      effort: r.effort,
      bytes: r.bytes,
      sha256: r.sha256,
      errorCode: r.errorCode,
      links: { self, file: `${self}/file`, events: `${self}/events` },
      createdAt: r.createdAt.toISOString(),
      updatedAt: r.updatedAt.toISOString(),
      completedAt: iso(r.completedAt),
    };
  }
}
