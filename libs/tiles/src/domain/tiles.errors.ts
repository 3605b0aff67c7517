import { DomainError } from '#shared-kernel';

export const TILES_ERROR_CODES = [
  'TILE_SET_NOT_FOUND',
  'INVALID_TILE_OPTIONS',
  'TILE_SET_NOT_READY',
  'TILE_NOT_FOUND',
  'CORRUPT_IMAGE',
  'TILING_INCOMPLETE',
  'INVALID_IIIF_REQUEST',
  'NOT_A_SPHERE',
  'IIIF_RENDER_TIMEOUT',
] as const;
export type TilesErrorCode = (typeof TILES_ERROR_CODES)[number];

/** This module's errors: `code` is one of its list. */
export abstract class TilesError extends DomainError {
  abstract override readonly code: TilesErrorCode;
}

export class TileSetNotFoundError extends TilesError {
  readonly code = 'TILE_SET_NOT_FOUND';
  constructor() {
    super('No tile set with this id exists.');
  }
}

export class InvalidTileOptionsError extends TilesError {
  readonly code = 'INVALID_TILE_OPTIONS';
  constructor(readonly problems: string[]) {
    super(`Invalid tiling options: ${problems.join('; ')}.`, { problems });
  }
}

export class TileSetNotReadyError extends TilesError {
  readonly code = 'TILE_SET_NOT_READY';
  constructor(status: string) {
    super(`The tile set is ${status}; tiles are served once it is ready.`, { tileSetStatus: status });
  }
}

export class TileNotFoundError extends TilesError {
  readonly code = 'TILE_NOT_FOUND';
  constructor() {
    super('No such tile in this pyramid.');
  }
}

/** The original cannot be decoded (truncated, damaged): cutting it again will not help. */
export class CorruptImageError extends TilesError {
  readonly code = 'CORRUPT_IMAGE';
  constructor(reason: string) {
    super(`The image could not be decoded: ${reason}`);
  }
}

/** The pyramid on disk is not the pyramid the geometry promises. */
export class TilingIncompleteError extends TilesError {
  readonly code = 'TILING_INCOMPLETE';
  constructor(expected: number, found: number) {
    super(`Expected ${expected} tiles, found ${found}.`, { expected, found });
  }
}

/** A sphere descriptor asked of a tile set not cut for 360° viewers. */
export class NotASphereError extends TilesError {
  readonly code = 'NOT_A_SPHERE';
  constructor() {
    super("This tile set is not cut for 360° viewers; use the panorama's tile set whose layout is sphere.");
  }
}

/** An IIIF render ran past IIIF_TIMEOUT_SECONDS (a busy server, or a heavy request): stopped, nothing answered. */
export class IiifRenderTimeoutError extends TilesError {
  readonly code = 'IIIF_RENDER_TIMEOUT';
  override readonly retryable = true;
  constructor(seconds: number) {
    super(`The image could not be rendered within ${seconds} s; retry later or ask for a smaller size.`);
  }
}
