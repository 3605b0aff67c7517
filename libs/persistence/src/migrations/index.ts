import type { Migration } from '@mikro-orm/migrations';
import { Migration20261121090447_Initial } from './Migration20261121090447_Initial.js';
import { Migration20261121092515_Panoramas } from './Migration20261121092515_Panoramas.js';
import { Migration20261122070000_ChangeFeed } from './Migration20261122070000_ChangeFeed.js';
import { Migration20261122090000_RateLimits } from './Migration20261122090000_RateLimits.js';
import { Migration20261122120000_Renditions } from './Migration20261122120000_Renditions.js';
import { Migration20261122150000_SharesAndProjection } from './Migration20261122150000_SharesAndProjection.js';
import { Migration20261205230000_MoreImageFormats } from './Migration20261205230000_MoreImageFormats.js';
import { Migration20261206020000_ServerKeys } from './Migration20261206020000_ServerKeys.js';
import { Migration20261206050000_ShareLinks } from './Migration20261206050000_ShareLinks.js';
import { Migration20261206220000_ApiKeys } from './Migration20261206220000_ApiKeys.js';
import { Migration20261206230000_Collections } from './Migration20261206230000_Collections.js';
import { Migration20261207000000_Webhooks } from './Migration20261207000000_Webhooks.js';
import { Migration20261207100000_CollectionShares } from './Migration20261207100000_CollectionShares.js';
import { Migration20261207200000_DirectUploads } from './Migration20261207200000_DirectUploads.js';

type MigrationCtor = new (...args: ConstructorParameters<typeof Migration>) => Migration;

/**
 * Every migration, in order. Listed explicitly (no folder glob) so the same list runs from
 * TypeScript under jest and from the compiled dist/ tree. `npm run migration:create`
 * writes a new file here; add it to the end of this list.
 */
export const MIGRATIONS: { name: string; class: MigrationCtor }[] = [
  { name: 'Migration20261121090447_Initial', class: Migration20261121090447_Initial },
  { name: 'Migration20261121092515_Panoramas', class: Migration20261121092515_Panoramas },
  { name: 'Migration20261122070000_ChangeFeed', class: Migration20261122070000_ChangeFeed },
  { name: 'Migration20261122090000_RateLimits', class: Migration20261122090000_RateLimits },
  { name: 'Migration20261122120000_Renditions', class: Migration20261122120000_Renditions },
  { name: 'Migration20261122150000_SharesAndProjection', class: Migration20261122150000_SharesAndProjection },
  { name: 'Migration20261205230000_MoreImageFormats', class: Migration20261205230000_MoreImageFormats },
  { name: 'Migration20261206020000_ServerKeys', class: Migration20261206020000_ServerKeys },
  { name: 'Migration20261206050000_ShareLinks', class: Migration20261206050000_ShareLinks },
  { name: 'Migration20261206220000_ApiKeys', class: Migration20261206220000_ApiKeys },
  { name: 'Migration20261206230000_Collections', class: Migration20261206230000_Collections },
  { name: 'Migration20261207000000_Webhooks', class: Migration20261207000000_Webhooks },
  { name: 'Migration20261207100000_CollectionShares', class: Migration20261207100000_CollectionShares },
  { name: 'Migration20261207200000_DirectUploads', class: Migration20261207200000_DirectUploads },
];
