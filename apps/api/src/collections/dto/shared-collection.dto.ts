import { ApiProperty } from '@nestjs/swagger';
import type { Collection } from '#collections';
import { PROJECTIONS, type Projection } from '#panoramas';
import type { Page } from '#shared-kernel';
import {
  readyTileSet,
  TILE_LAYOUTS,
  TILE_SET_STATUSES,
  type TileLayout,
  type TileSet,
  type TileSetStatus,
} from '#tiles';
import { type PanoramaWithDerivatives, readyThumbnail } from '#workflows';

/** Where a member is reached under the collection's link (`{origin}/v1/s/{token}/{kind}s/{id}`); null: not any more. */
export type MemberBase = (kind: 'tileset' | 'rendition', member: { id: string; shareEpoch: number }) => string | null;

/** A tile set of a shared collection's panorama, and its URLs under the collection's link. */
export class SharedTileSetDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ enum: TILE_LAYOUTS, enumName: 'TileLayout' }) layout!: TileLayout;
  @ApiProperty({ enum: TILE_SET_STATUSES, enumName: 'TileSetStatus' }) status!: TileSetStatus;
  @ApiProperty({ minimum: 0, maximum: 1, description: 'While processing: the share of the work done.' })
  progress!: number;
  @ApiProperty({ description: 'Its public page (a viewer, flat or as a sphere); embeddable anywhere.' })
  pageUrl!: string;
  @ApiProperty({ description: 'Deep Zoom descriptor (OpenSeadragon tileSources).' }) dziUrl!: string;
  @ApiProperty({ description: 'IIIF Image API 3.0 base URI (`{iiifUrl}/info.json`).' }) iiifUrl!: string;
  @ApiProperty({ description: 'IIIF Presentation 3 manifest of the panorama (Mirador, Universal Viewer).' })
  iiifManifestUrl!: string;
  @ApiProperty({ description: 'The JSON manifest (levels, tile URL template).' }) manifestUrl!: string;
  @ApiProperty({ description: 'The whole tile set as a zip.' }) archiveUrl!: string;

  static from(tileSet: TileSet, base: string): SharedTileSetDto {
    return {
      id: tileSet.id,
      layout: tileSet.layout,
      status: tileSet.status,
      progress: tileSet.progress,
      pageUrl: base.replace('/v1/s/', '/s/'),
      dziUrl: `${base}/image.dzi`,
      iiifUrl: `${base}/iiif`,
      iiifManifestUrl: `${base}/iiif-manifest`,
      manifestUrl: `${base}/manifest`,
      archiveUrl: `${base}/archive`,
    };
  }
}

/** A panorama of a shared collection, as anyone holding the link sees it. */
export class SharedCollectionPanoramaDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() title!: string;
  @ApiProperty({ type: String, nullable: true }) description!: string | null;
  @ApiProperty({ type: 'integer' }) width!: number;
  @ApiProperty({ type: 'integer' }) height!: number;
  @ApiProperty({ enum: PROJECTIONS, enumName: 'Projection' }) projection!: Projection;
  @ApiProperty({ type: [String] }) tags!: string[];
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({
    type: String,
    nullable: true,
    description:
      'The page that shows it best: its sphere tile set for a 360° panorama, else its flat one (the ready one); ' +
      'null while none is ready.',
  })
  pageUrl!: string | null;
  @ApiProperty({
    type: String,
    nullable: true,
    description: 'Its thumbnail (the thumb preset) when one is ready: usable in an <img> anywhere.',
  })
  thumbnailUrl!: string | null;
  @ApiProperty({ type: [SharedTileSetDto], description: 'Its tile sets, oldest first.' })
  tileSets!: SharedTileSetDto[];

  static from(view: PanoramaWithDerivatives, base: MemberBase): SharedCollectionPanoramaDto {
    const { panorama: p } = view;
    const tileSets = view.tileSets.flatMap((t) => {
      const at = base('tileset', t);
      return at === null ? [] : [SharedTileSetDto.from(t, at)];
    });
    const sphere = readyTileSet(view.tileSets, 'sphere');
    const shown = (p.projection === 'equirectangular' ? sphere : undefined) ?? readyTileSet(view.tileSets) ?? sphere;
    const thumb = readyThumbnail(view.renditions);
    const thumbBase = thumb ? base('rendition', thumb) : null;
    return {
      id: p.id,
      title: p.title,
      description: p.description,
      width: p.width,
      height: p.height,
      projection: p.projection,
      tags: [...p.tags],
      createdAt: p.createdAt.toISOString(),
      pageUrl: tileSets.find((t) => t.id === shown?.id)?.pageUrl ?? null,
      thumbnailUrl: thumbBase && `${thumbBase}/file`,
      tileSets,
    };
  }
}

/** A shared collection, as anyone holding its link sees it: what it is and a page of its panoramas. */
export class SharedCollectionDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ type: String, nullable: true }) description!: string | null;
  @ApiProperty({ format: 'date-time', description: 'When the link stops working.' }) expiresAt!: string;
  @ApiProperty({ description: 'The public page of the collection.' }) pageUrl!: string;
  @ApiProperty({ description: 'IIIF Presentation 3 Collection of its panoramas.' }) iiifCollectionUrl!: string;
  @ApiProperty({ type: [SharedCollectionPanoramaDto], description: 'Its panoramas, newest first.' })
  items!: SharedCollectionPanoramaDto[];
  @ApiProperty({ type: String, nullable: true, description: 'Pass as `cursor` for the next page; null on the last.' })
  nextCursor!: string | null;

  static from(
    collection: Collection,
    page: Page<PanoramaWithDerivatives>,
    link: { base: string; expiresAt: Date },
    member: MemberBase,
  ): SharedCollectionDto {
    const c = collection.props;
    return {
      id: c.id,
      name: c.name,
      description: c.description,
      expiresAt: link.expiresAt.toISOString(),
      pageUrl: link.base.replace('/v1/s/', '/s/'),
      iiifCollectionUrl: `${link.base}/iiif-collection`,
      items: page.items.map((view) => SharedCollectionPanoramaDto.from(view, member)),
      nextCursor: page.nextCursor,
    };
  }
}
