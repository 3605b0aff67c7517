import { BigIntType, EntitySchema } from '@mikro-orm/core';
import { TILE_FORMATS, TILE_LAYOUTS, TILE_SET_STATUSES, TileSet } from '#tiles';
import { DERIVED_IMAGE_KEYS, DERIVED_IMAGE_LIFECYCLE } from './derived-image.columns.js';

/** Table `tile_sets`; rows go with their panorama (its purge removes the objects first). */
export const TileSetSchema = new EntitySchema<TileSet>({
  class: TileSet,
  tableName: 'tile_sets',
  properties: {
    ...DERIVED_IMAGE_KEYS,
    sourceKey: { type: 'string', length: 512 },
    sourceWidth: { type: 'integer' },
    sourceHeight: { type: 'integer' },
    tileSize: { type: 'smallint' },
    format: { enum: true, items: [...TILE_FORMATS] },
    quality: { type: 'smallint' },
    overlap: { type: 'smallint' },
    layout: { enum: true, items: [...TILE_LAYOUTS], default: 'deepzoom' },
    status: { enum: true, items: [...TILE_SET_STATUSES], index: 'tile_sets_status_index' },
    progress: { type: 'double' },
    levels: { type: 'smallint', nullable: true },
    tileCount: { type: 'integer', nullable: true },
    bytes: { type: new BigIntType('number'), nullable: true },
    ...DERIVED_IMAGE_LIFECYCLE,
  },
  uniques: [
    {
      name: 'tile_sets_panorama_options_unique',
      properties: ['panoramaId', 'tileSize', 'format', 'quality', 'overlap', 'layout'],
    },
  ],
});
