import { PanoramaSchema } from './panorama.schema.js';
import { RefreshTokenSchema } from './refresh-token.schema.js';
import { RenditionSchema } from './rendition.schema.js';
import { TileSetSchema } from './tile-set.schema.js';
import { UserSchema } from './user.schema.js';

/** Every entity the ORM knows. A schema not listed here has no table. */
export const ENTITY_SCHEMAS = [UserSchema, RefreshTokenSchema, PanoramaSchema, TileSetSchema, RenditionSchema];
