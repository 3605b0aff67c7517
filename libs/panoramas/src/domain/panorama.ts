import { CONTENT_TYPES, EXTENSIONS, type ImageFormat } from './image-format.js';
import type { Projection } from './projection.js';

export interface PanoramaProps {
  id: string;
  ownerId: string;
  title: string;
  description: string | null;
  /** Sanitised client filename; metadata only. */
  originalFilename: string;
  format: ImageFormat;
  bytes: number;
  width: number;
  height: number;
  /** Flat, or a 360° sphere (detected at upload, see detectProjection; owners may correct it). */
  projection: Projection;
  /** Hex SHA-256 of the original's bytes; also its ETag and the de-duplication key per owner. */
  sha256: string;
  originalKey: string;
  createdAt: Date;
  updatedAt: Date;
  /** Set when deletion started; the panorama is gone for readers from then on. */
  deletedAt: Date | null;
  /** Free labels for search (see TAG_PATTERN); none when absent. */
  tags?: readonly string[];
}

/**
 * A tag: letters, digits, inner spaces, `_`, `.`, `-`; starts with a letter or digit, does
 * not end with a space; at most 50 characters. (Nothing that an array literal would quote.)
 */
export const TAG_PATTERN = /^[\p{L}\p{N}](?:[\p{L}\p{N} _.-]{0,48}[\p{L}\p{N}_.-])?$/u;
export const MAX_TAGS = 20;

/** An uploaded image and its stored original. */
export class Panorama {
  id!: string;
  ownerId!: string;
  title!: string;
  description!: string | null;
  originalFilename!: string;
  format!: ImageFormat;
  bytes!: number;
  width!: number;
  height!: number;
  projection!: Projection;
  sha256!: string;
  originalKey!: string;
  createdAt!: Date;
  updatedAt!: Date;
  deletedAt!: Date | null;
  tags!: string[];

  constructor(props: PanoramaProps) {
    Object.assign(this, props);
    this.tags = [...(props.tags ?? [])];
  }

  contentType(): string {
    return CONTENT_TYPES[this.format];
  }

  /** The stored image as what derives from it (tile sets, renditions) needs to know it. */
  imageSource(): { panoramaId: string; ownerId: string; key: string; width: number; height: number } {
    return {
      panoramaId: this.id,
      ownerId: this.ownerId,
      key: this.originalKey,
      width: this.width,
      height: this.height,
    };
  }

  /** Storage prefix holding this panorama's original. */
  originalPrefix(): string {
    return originalPrefix(this.ownerId, this.id);
  }
}

export const originalPrefix = (ownerId: string, panoramaId: string) => `originals/${ownerId}/${panoramaId}/`;
export const originalKey = (ownerId: string, panoramaId: string, format: ImageFormat) =>
  `${originalPrefix(ownerId, panoramaId)}original.${EXTENSIONS[format]}`;

export { type Actor, canRead, canWrite } from '#shared-kernel';
