import {
  DERIVATIVE_STATUSES,
  type DerivedImageProps,
  type DerivativeStatus,
  type DerivativeTransitions,
} from '#shared-kernel';
import type { PyramidSpec } from './pyramid.js';
import { layoutSize, type TileFormat, type TileLayout, type TileOptions } from './tile-options.js';

/** A tile set's lifecycle is every derived image's (see `#shared-kernel` derivative). */
export const TILE_SET_STATUSES = DERIVATIVE_STATUSES;
export type TileSetStatus = DerivativeStatus;

/**
 * Every status change a tile set can go through, and from where. Repositories apply them
 * as conditional updates (`... where status in from`), so a change that no longer applies
 * (the tile set was deleted, finished meanwhile) changes nothing and says so.
 *
 *   queued --start--> processing --finish--> ready --requeue--> queued   (re-cut: damage found)
 *                        |  ^ start (a retry restarts)   \--condemn--> failed (damage found)
 *                        fail --> failed --start/requeue--> ...
 */
export const TILE_SET_TRANSITIONS = {
  start: { from: ['queued', 'processing', 'failed'], to: 'processing' },
  finish: { from: ['processing'], to: 'ready' },
  fail: { from: ['queued', 'processing'], to: 'failed' },
  requeue: { from: ['ready', 'failed'], to: 'queued' },
  condemn: { from: ['ready'], to: 'failed' },
} as const satisfies DerivativeTransitions;

/** Besides what every derived image has (its panorama, owner, status, errorCode, shareEpoch, times). */
export interface TileSetProps extends DerivedImageProps {
  /** Storage key of the original to cut, and its size (the pyramid's geometry follows). */
  sourceKey: string;
  sourceWidth: number;
  sourceHeight: number;
  tileSize: number;
  format: TileFormat;
  quality: number;
  overlap: number;
  layout: TileLayout;
  /** Tiles written / tiles expected, 0..1. */
  progress: number;
  levels: number | null;
  tileCount: number | null;
  bytes: number | null;
}

/** One zoomable pyramid cut from a panorama with one set of options. */
export class TileSet {
  id!: string;
  panoramaId!: string;
  ownerId!: string;
  sourceKey!: string;
  sourceWidth!: number;
  sourceHeight!: number;
  tileSize!: number;
  format!: TileFormat;
  quality!: number;
  overlap!: number;
  layout!: TileLayout;
  status!: TileSetStatus;
  progress!: number;
  levels!: number | null;
  tileCount!: number | null;
  bytes!: number | null;
  errorCode!: string | null;
  shareEpoch!: number;
  createdAt!: Date;
  updatedAt!: Date;
  startedAt!: Date | null;
  completedAt!: Date | null;

  constructor(props: TileSetProps) {
    Object.assign(this, props);
  }

  /** A new tile set, queued for cutting. */
  static queue(
    input: Pick<TileSetProps, 'id' | 'panoramaId' | 'ownerId' | 'sourceKey' | 'sourceWidth' | 'sourceHeight'> & {
      options: TileOptions;
      now: Date;
    },
  ): TileSet {
    return new TileSet({
      id: input.id,
      panoramaId: input.panoramaId,
      ownerId: input.ownerId,
      sourceKey: input.sourceKey,
      sourceWidth: input.sourceWidth,
      sourceHeight: input.sourceHeight,
      ...input.options,
      status: 'queued',
      progress: 0,
      levels: null,
      tileCount: null,
      bytes: null,
      errorCode: null,
      shareEpoch: 0,
      createdAt: input.now,
      updatedAt: input.now,
      startedAt: null,
      completedAt: null,
    });
  }

  options(): TileOptions {
    return {
      tileSize: this.tileSize,
      format: this.format,
      quality: this.quality,
      overlap: this.overlap,
      layout: this.layout,
    };
  }

  /** Storage prefix of everything this tile set publishes. */
  storagePrefix(): string {
    return tileSetPrefix(this.id);
  }

  /** The pyramid this tile set cuts (of the original, or of its resized copy: see TILE_LAYOUTS). */
  spec(): PyramidSpec {
    const size = layoutSize(this.layout, this.tileSize, { width: this.sourceWidth, height: this.sourceHeight });
    return { ...size, tileSize: this.tileSize, overlap: this.overlap };
  }

  isFinished(): boolean {
    return this.status === 'ready' || this.status === 'failed';
  }
}

export const tileSetPrefix = (tileSetId: string) => `tilesets/${tileSetId}/`;

/** The first ready tile set of `layout` (flat by default) among a panorama's, if any. */
export const readyTileSet = (tileSets: readonly TileSet[], layout: TileLayout = 'deepzoom'): TileSet | undefined =>
  tileSets.find((t) => t.layout === layout && t.status === 'ready');
