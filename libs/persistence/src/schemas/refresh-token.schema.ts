import { EntitySchema } from '@mikro-orm/core';
import { RefreshToken, User } from '#users';

/** Refresh tokens are deleted with their user (ON DELETE CASCADE). */
export const RefreshTokenSchema = new EntitySchema<RefreshToken>({
  class: RefreshToken,
  tableName: 'refresh_tokens',
  properties: {
    id: { type: 'uuid', primary: true },
    // mapToPk: the domain holds the user's id, the database holds a real foreign key.
    // (The cast: MikroORM's types expect a relation property to hold the entity, not its key.)
    userId: {
      kind: 'm:1',
      entity: (() => User) as never,
      mapToPk: true,
      fieldName: 'user_id',
      deleteRule: 'cascade',
      index: 'refresh_tokens_user_id_index',
    },
    familyId: { type: 'uuid', index: 'refresh_tokens_family_id_index' },
    tokenHash: { type: 'string', length: 64, unique: 'refresh_tokens_token_hash_unique' },
    createdAt: { type: 'datetime' },
    expiresAt: { type: 'datetime' },
    usedAt: { type: 'datetime', nullable: true },
    revokedAt: { type: 'datetime', nullable: true },
  },
});
