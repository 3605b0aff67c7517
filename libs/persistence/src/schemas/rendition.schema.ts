import { BigIntType, EntitySchema } from '@mikro-orm/core';
import { CROP_POSITIONS, RENDITION_FITS, RENDITION_FORMATS, RENDITION_STATUSES, Rendition } from '#renditions';
import { DERIVED_IMAGE_KEYS, DERIVED_IMAGE_LIFECYCLE } from './derived-image.columns.js';

/**
 * Table `renditions`; rows go with their panorama (its purge removes the files first: they
 * live under the panorama's prefix). One rendition per panorama and spec key.
 */
export const RenditionSchema = new EntitySchema<Rendition>({
  class: Rendition,
  tableName: 'renditions',
  properties: {
    ...DERIVED_IMAGE_KEYS,
    name: { type: 'string', length: 32, nullable: true },
    width: { type: 'integer' },
    height: { type: 'integer' },
    fit: { enum: true, items: [...RENDITION_FITS] },
    position: { enum: true, items: [...CROP_POSITIONS], nullable: true },
    format: { enum: true, items: [...RENDITION_FORMATS] },
    quality: { type: 'smallint', nullable: true },
    effort: { type: 'smallint', nullable: true },
    specKey: { type: 'string', length: 128 },
    key: { type: 'string', length: 512 },
    status: { enum: true, items: [...RENDITION_STATUSES] },
    bytes: { type: new BigIntType('number'), nullable: true },
    sha256: { type: 'string', length: 64, nullable: true },
    ...DERIVED_IMAGE_LIFECYCLE,
  },
  uniques: [{ name: 'renditions_panorama_spec_unique', properties: ['panoramaId', 'specKey'] }],
});
