import { Panorama } from '#panoramas';

/**
 * The columns every derived image of a panorama (a tile set, a rendition) has, written once
 * as its lifecycle is (`#shared-kernel` derivative): which panorama it is of (rows go with
 * it), its owner (copied, so access checks need no join), and its lifecycle besides the
 * status (whose index and check each table names itself).
 */
export const DERIVED_IMAGE_KEYS = {
  id: { type: 'uuid', primary: true },
  panoramaId: {
    kind: 'm:1',
    entity: (() => Panorama) as never,
    mapToPk: true,
    fieldName: 'panorama_id',
    deleteRule: 'cascade',
  },
  ownerId: { type: 'uuid' },
} as const;

export const DERIVED_IMAGE_LIFECYCLE = {
  errorCode: { type: 'string', length: 64, nullable: true },
  shareEpoch: { type: 'integer', default: 0 },
  createdAt: { type: 'datetime' },
  updatedAt: { type: 'datetime' },
  startedAt: { type: 'datetime', nullable: true },
  completedAt: { type: 'datetime', nullable: true },
} as const;
