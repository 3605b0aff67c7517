import { DomainError } from '#shared-kernel';

export const TILES_ERROR_CODES = ['TILE_SET_NOT_FOUND', 'INVALID_TILE_OPTIONS'] as const;
export type TilesErrorCode = (typeof TILES_ERROR_CODES)[number];

export class TileSetNotFoundError extends DomainError {
  readonly code = 'TILE_SET_NOT_FOUND';
  constructor() {
    super('No tile set with this id exists.');
  }
}

export class InvalidTileOptionsError extends DomainError {
  readonly code = 'INVALID_TILE_OPTIONS';
  constructor(readonly problems: string[]) {
    super(`Invalid tiling options: ${problems.join('; ')}.`, { problems });
  }
}
