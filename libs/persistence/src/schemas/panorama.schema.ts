import { ArrayType, BigIntType, EntitySchema } from '@mikro-orm/core';
import { IMAGE_FORMATS, Panorama, PROJECTIONS } from '#panoramas';
import { User } from '#users';

/**
 * Table `panoramas`. An owner cannot be deleted while they have panoramas (RESTRICT): their
 * stored files must be purged first, never orphaned by a cascade.
 * One live panorama per owner and SHA-256 (partial unique index): the de-duplication key.
 */
export const PanoramaSchema = new EntitySchema<Panorama>({
  class: Panorama,
  tableName: 'panoramas',
  properties: {
    id: { type: 'uuid', primary: true },
    ownerId: {
      kind: 'm:1',
      entity: (() => User) as never,
      mapToPk: true,
      fieldName: 'owner_id',
      deleteRule: 'restrict',
    },
    title: { type: 'string', length: 200 },
    description: { type: 'text', nullable: true },
    originalFilename: { type: 'string', length: 255 },
    format: { enum: true, items: [...IMAGE_FORMATS] },
    bytes: { type: new BigIntType('number') },
    width: { type: 'integer' },
    height: { type: 'integer' },
    projection: { enum: true, items: [...PROJECTIONS], default: 'flat' },
    sha256: { type: 'string', length: 64 },
    originalKey: { type: 'string', length: 512 },
    createdAt: { type: 'datetime' },
    updatedAt: { type: 'datetime' },
    deletedAt: { type: 'datetime', nullable: true },
    // text[] (GIN-indexed): tags are checked against TAG_PATTERN, so no element needs quoting.
    tags: { type: ArrayType, columnType: 'text[]', defaultRaw: "'{}'" },
  },
  indexes: [
    {
      name: 'panoramas_owner_listing_index',
      expression:
        'create index "panoramas_owner_listing_index" on "panoramas" ("owner_id", "created_at" desc, "id" desc) where "deleted_at" is null',
    },
    {
      name: 'panoramas_deleted_at_index',
      expression:
        'create index "panoramas_deleted_at_index" on "panoramas" ("deleted_at") where "deleted_at" is not null',
    },
  ],
  uniques: [
    {
      name: 'panoramas_owner_sha256_live_unique',
      expression:
        'create unique index "panoramas_owner_sha256_live_unique" on "panoramas" ("owner_id", "sha256") where "deleted_at" is null',
    },
  ],
});
