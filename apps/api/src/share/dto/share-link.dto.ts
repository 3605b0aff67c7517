import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsInt, IsOptional, IsString, Max, MaxLength, Min, ValidateIf } from 'class-validator';
import { SHARE_LABEL_MAX_LENGTH } from '#sharing';
import { SingleLine } from '../../common/single-line.js';

/** A link that is always listed (a collection's). */
export class CreateListedShareDto {
  @ApiPropertyOptional({
    type: 'integer',
    minimum: 60,
    maximum: 31_622_400,
    description:
      'How long the link works, in seconds (default SHARE_DEFAULT_TTL_SECONDS, 7 days; capped by SHARE_MAX_TTL_SECONDS, ' +
      '30 days: expiresAt says what was granted).',
    example: 86400,
  })
  @IsOptional()
  @IsInt()
  @Min(60)
  @Max(31_622_400)
  ttlSeconds?: number;

  @ApiPropertyOptional({
    maxLength: SHARE_LABEL_MAX_LENGTH,
    example: '',
    description: 'Who the link is for, as you will see it in the list ("Anna, print shop"). Empty = none.',
  })
  @IsOptional()
  @IsString()
  @MaxLength(SHARE_LABEL_MAX_LENGTH)
  @SingleLine()
  label?: string;
}

export class CreateShareDto extends CreateListedShareDto {
  @ApiPropertyOptional({
    default: true,
    description:
      'false: a link for your own use (a viewer in your own page). Nothing is stored: it is not listed, has no id, ' +
      'and ends only when every link of the resource is revoked.',
  })
  @IsOptional()
  @IsBoolean()
  listed?: boolean;
}

export class UpdateShareDto {
  @ApiProperty({
    type: String,
    nullable: true,
    maxLength: SHARE_LABEL_MAX_LENGTH,
    description: 'The new label; null or empty removes it.',
  })
  @ValidateIf((_, value) => value !== null)
  @IsString()
  @MaxLength(SHARE_LABEL_MAX_LENGTH)
  @SingleLine()
  label!: string | null;
}

/** What every share link says about itself. */
class ShareLinkFieldsDto {
  @ApiProperty({
    type: String,
    format: 'uuid',
    nullable: true,
    description: 'The link, to label or revoke it alone; null for an unlisted link.',
  })
  id!: string | null;
  @ApiProperty({ type: String, nullable: true }) label!: string | null;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ format: 'date-time' }) expiresAt!: string;
  @ApiProperty({
    type: String,
    format: 'date-time',
    nullable: true,
    description: 'When a request last came through it, to the minute (null: never, or unlisted).',
  })
  lastUsedAt!: string | null;
}

export class TileSetShareDto extends ShareLinkFieldsDto {
  @ApiProperty({ description: 'Deep Zoom descriptor: give it to OpenSeadragon (or any DZI viewer) as tileSources.' })
  dziUrl!: string;
  @ApiProperty({
    description:
      'IIIF Image API 3.0 base URI: `{iiifUrl}/info.json` is the image service (OpenSeadragon, Leaflet-IIIF).',
  })
  iiifUrl!: string;
  @ApiProperty({
    description:
      "IIIF Presentation API 3.0 manifest of the panorama, naming only this link's URLs: what Mirador and Universal " +
      'Viewer open, on any site, with no account.',
  })
  iiifManifestUrl!: string;
  @ApiProperty({ description: 'The JSON manifest (levels, tile URL template).' }) manifestUrl!: string;
  @ApiProperty({ description: 'The whole tile set as a zip.' }) archiveUrl!: string;
}

export class RenditionShareDto extends ShareLinkFieldsDto {
  @ApiProperty({ description: 'The rendition file: usable in an <img> anywhere, no token needed.' }) fileUrl!: string;
}

export class CollectionShareDto extends ShareLinkFieldsDto {
  @ApiProperty({
    description:
      "The collection's public page: its panoramas, each opening in a viewer, with no account. Embeddable on any site.",
  })
  pageUrl!: string;
  @ApiProperty({
    description:
      'The collection under the link as JSON (getSharedCollection): its panoramas, paged, each with the URLs of its ' +
      'tile sets and thumbnail under this link.',
  })
  url!: string;
  @ApiProperty({
    description:
      'IIIF Presentation API 3.0 Collection of the manifests of its panoramas (those with a ready tile set): what ' +
      'Mirador opens, on any site, with no account.',
  })
  iiifCollectionUrl!: string;
}

export class TileSetShareListDto {
  @ApiProperty({ type: TileSetShareDto, isArray: true, description: 'Active listed links, newest first.' })
  items!: TileSetShareDto[];
}

export class RenditionShareListDto {
  @ApiProperty({ type: RenditionShareDto, isArray: true, description: 'Active listed links, newest first.' })
  items!: RenditionShareDto[];
}

export class CollectionShareListDto {
  @ApiProperty({ type: CollectionShareDto, isArray: true, description: 'Active links, newest first.' })
  items!: CollectionShareDto[];
}
