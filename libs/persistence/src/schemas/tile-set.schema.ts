import { BigIntType, EntitySchema } from '@mikro-orm/core';
import { Panorama } from '#panoramas';
import { TILE_FORMATS, TILE_LAYOUTS, TILE_SET_STATUSES, TileSet } from '#tiles';

/** Table `tile_sets`; rows go with their panorama (its purge removes the objects first). */
export const TileSetSchema = new EntitySchema<TileSet>({
  class: TileSet,
  tableName: 'tile_sets',
  properties: {
    id: { type: 'uuid', primary: true },
    panoramaId: {
      kind: 'm:1',
      entity: (() => Panorama) as never,
      mapToPk: true,
      fieldName: 'panorama_id',
      deleteRule: 'cascade',
    },
    ownerId: { type: 'uuid' },
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
    errorCode: { type: 'string', length: 64, nullable: true },
    shareEpoch: { type: 'integer', default: 0 },
    createdAt: { type: 'datetime' },
    updatedAt: { type: 'datetime' },
    startedAt: { type: 'datetime', nullable: true },
    completedAt: { type: 'datetime', nullable: true },
  },
  uniques: [
    {
      name: 'tile_sets_panorama_options_unique',
      properties: ['panoramaId', 'tileSize', 'format', 'quality', 'overlap', 'layout'],
    },
  ],
});
