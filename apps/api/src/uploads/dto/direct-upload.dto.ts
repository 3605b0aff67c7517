import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsInt,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
  ValidateNested,
} from 'class-validator';
import type { SignedPart } from '#shared-kernel';
import type { DirectUploadState } from '#panoramas';
import { UploadPanoramaFieldsDto } from '../../panoramas/dto/upload-panorama.dto.js';
import { type DirectUploadView, MAX_PARTS, partsOf } from '../direct-uploads.js';

/** The file's name and exact size, and the same optional fields as uploadPanorama. */
export class CreateDirectUploadDto extends UploadPanoramaFieldsDto {
  @ApiProperty({
    minLength: 1,
    maxLength: 1000,
    example: 'alps.jpg',
    description: 'Kept cleaned, as in uploadPanorama.',
  })
  @IsString()
  @MinLength(1)
  @MaxLength(1000)
  filename!: string;

  @ApiProperty({
    type: 'integer',
    minimum: 1,
    example: 734003200,
    description: 'The exact size of the file in bytes (at most UPLOAD_MAX_BYTES and within your quota).',
  })
  @IsInt()
  @Min(1)
  @Max(Number.MAX_SAFE_INTEGER)
  bytes!: number;
}

export class SentPartDto {
  @ApiProperty({ type: 'integer', minimum: 1, maximum: MAX_PARTS })
  @IsInt()
  @Min(1)
  @Max(MAX_PARTS)
  partNumber!: number;

  @ApiProperty({
    maxLength: 200,
    example: '"0c78aef83f66abc1fa1e8477f296d394"',
    description: 'The ETag header its PUT answered.',
  })
  @IsString()
  @MaxLength(200)
  @Matches(/^[\x21-\x7e]+$/, { message: 'etag must be printable ASCII without spaces' })
  etag!: string;
}

export class CompleteDirectUploadDto {
  @ApiProperty({
    type: [SentPartDto],
    description: 'Every part, each once (none needed when the upload is already `assembled`).',
  })
  @IsArray()
  @ArrayMaxSize(MAX_PARTS)
  @ValidateNested({ each: true })
  @Type(() => SentPartDto)
  parts!: SentPartDto[];
}

export class SignedPartDto {
  @ApiProperty({ type: 'integer', minimum: 1 })
  partNumber!: number;

  @ApiProperty({ type: 'integer', description: 'Send exactly this many bytes (signed: any other length is refused).' })
  bytes!: number;

  @ApiProperty({ format: 'uri', description: 'PUT the part here, with no other header; keep the ETag of the answer.' })
  url!: string;

  static from(part: SignedPart): SignedPartDto {
    return Object.assign(new SignedPartDto(), part);
  }
}

const STATES: DirectUploadState[] = ['open', 'assembled', 'completed'];

export class DirectUploadDto {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({
    enum: STATES,
    enumName: 'DirectUploadState',
    description:
      '`open`: parts are taken; `assembled`: the parts make the file, not yet accepted (complete again); `completed`: ' +
      'the panorama exists (`panoramaId`).',
  })
  state!: DirectUploadState;

  @ApiProperty()
  filename!: string;

  @ApiProperty({ type: 'integer' })
  bytes!: number;

  @ApiProperty({ type: 'integer', description: 'Every part is this size but the last.' })
  partBytes!: number;

  @ApiProperty({ type: 'integer' })
  partCount!: number;

  @ApiProperty({ format: 'date-time', description: 'Unfinished by then, it is removed with its parts.' })
  expiresAt!: string;

  @ApiPropertyOptional({
    type: [SignedPartDto],
    description: 'While open: where to PUT each part (fresh URLs on every read).',
  })
  parts?: SignedPartDto[];

  @ApiPropertyOptional({
    format: 'date-time',
    description: 'When these part URLs stop working (read the upload again).',
  })
  urlsExpireAt?: string;

  @ApiPropertyOptional({ format: 'uuid', nullable: true, type: String })
  panoramaId?: string | null;

  static from({ upload, parts, urlsExpireAt }: DirectUploadView): DirectUploadDto {
    return Object.assign(new DirectUploadDto(), {
      id: upload.id,
      state: upload.state,
      filename: upload.filename,
      bytes: upload.bytes,
      partBytes: upload.partBytes,
      partCount: partsOf(upload).length,
      expiresAt: upload.expiresAt.toISOString(),
      ...(parts ? { parts: parts.map((p) => SignedPartDto.from(p)) } : {}),
      ...(urlsExpireAt ? { urlsExpireAt: urlsExpireAt.toISOString() } : {}),
      panoramaId: upload.panoramaId,
    });
  }
}

export class DirectUploadListDto {
  @ApiProperty({
    description:
      'Whether this server takes direct uploads (S3 storage); when false, use uploadPanorama or /v1/uploads.',
  })
  offered!: boolean;

  @ApiProperty({ type: [DirectUploadDto], description: 'Your unfinished direct uploads, newest first (no part URLs).' })
  items!: DirectUploadDto[];
}
