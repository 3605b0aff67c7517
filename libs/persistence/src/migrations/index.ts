import type { Migration } from '@mikro-orm/migrations';
import { Migration20261121090447_Initial } from './Migration20261121090447_Initial.js';
import { Migration20261121092515_Panoramas } from './Migration20261121092515_Panoramas.js';

type MigrationCtor = new (...args: ConstructorParameters<typeof Migration>) => Migration;

/**
 * Every migration, in order. Listed explicitly (no folder glob) so the same list runs from
 * TypeScript under jest and from the compiled dist/ tree. `npm run migration:create`
 * writes a new file here; add it to the end of this list.
 */
export const MIGRATIONS: { name: string; class: MigrationCtor }[] = [
  { name: 'Migration20261121090447_Initial', class: Migration20261121090447_Initial },
  { name: 'Migration20261121092515_Panoramas', class: Migration20261121092515_Panoramas },
];
