import {
  DERIVATIVE_STATUSES,
  type DerivedImageProps,
  type DerivativeStatus,
  type DerivativeTransitions,
} from '#shared-kernel';
import {
  type CropPosition,
  FILE_EXTENSIONS,
  type RenditionFit,
  type RenditionFormat,
  type RenditionSpec,
} from './rendition-spec.js';

/** A rendition's lifecycle is every derived image's (see `#shared-kernel` derivative). */
export const RENDITION_STATUSES = DERIVATIVE_STATUSES;
export type RenditionStatus = DerivativeStatus;

/** Status changes of a rendition, applied by repositories as conditional updates. */
export const RENDITION_TRANSITIONS = {
  // From processing too: a job redelivered after its worker died.
  start: { from: ['queued', 'processing'], to: 'processing' },
  finish: { from: ['processing'], to: 'ready' },
  fail: { from: ['queued', 'processing'], to: 'failed' },
  // Asked for again after it failed: made again.
  requeue: { from: ['failed'], to: 'queued' },
  // Its stored file was found damaged.
  condemn: { from: ['ready'], to: 'failed' },
} as const satisfies DerivativeTransitions;

/** Besides what every derived image has (its panorama, owner, status, errorCode, shareEpoch, times) and its spec. */
export interface RenditionProps extends DerivedImageProps, RenditionSpec {
  /** The preset it was made for, or null for one asked for by hand. */
  name: string | null;
  /** Identity of the spec within its panorama (specKey). */
  specKey: string;
  /** Where its file is (or will be) stored. */
  key: string;
  bytes: number | null;
  sha256: string | null;
}

/** A derived image of one panorama: resized, compressed, converted. */
export class Rendition {
  id!: string;
  panoramaId!: string;
  ownerId!: string;
  name!: string | null;
  width!: number;
  height!: number;
  fit!: RenditionFit;
  position!: CropPosition | null;
  format!: RenditionFormat;
  quality!: number | null;
  effort!: number | null;
  specKey!: string;
  key!: string;
  status!: RenditionStatus;
  bytes!: number | null;
  sha256!: string | null;
  errorCode!: string | null;
  shareEpoch!: number;
  createdAt!: Date;
  updatedAt!: Date;
  startedAt!: Date | null;
  completedAt!: Date | null;

  constructor(props: RenditionProps) {
    Object.assign(this, props);
  }

  spec(): RenditionSpec {
    const { width, height, fit, position, format, quality, effort } = this;
    return { width, height, fit, position, format, quality, effort };
  }

  /** 0 until it is made, 1 once ready (rendering is one step). */
  progress(): number {
    return this.status === 'ready' ? 1 : 0;
  }

  isFinished(): boolean {
    return this.status === 'ready' || this.status === 'failed';
  }
}

/**
 * The name to save a rendition as: the original's name without its extension, the preset
 * (or the size), the format's extension. `matterhorn.tif` -> `matterhorn-thumb.webp`.
 */
export function downloadName(
  originalFilename: string,
  rendition: Pick<Rendition, 'name' | 'width' | 'height' | 'format'>,
): string {
  const stem = originalFilename.replace(/\.[^.]*$/, '') || 'panorama';
  return `${stem}-${rendition.name ?? `${rendition.width}x${rendition.height}`}.${FILE_EXTENSIONS[rendition.format]}`;
}
