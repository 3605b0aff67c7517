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
}

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

  constructor(props: PanoramaProps) {
    Object.assign(this, props);
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
