import { BigIntType, EntitySchema } from '@mikro-orm/core';
import { ROLES, User } from '#users';

/** Maps the plain domain class User onto table `users`. */
export const UserSchema = new EntitySchema<User>({
  class: User,
  tableName: 'users',
  properties: {
    id: { type: 'uuid', primary: true },
    email: { type: 'string', length: 254, unique: 'users_email_unique' },
    passwordHash: { type: 'text', hidden: true },
    role: { enum: true, items: [...ROLES] },
    quotaBytes: { type: new BigIntType('number'), nullable: true },
    quotaPanoramas: { type: 'integer', nullable: true },
    tokensValidAfter: { type: 'datetime', nullable: true },
    createdAt: { type: 'datetime' },
    updatedAt: { type: 'datetime' },
  },
  indexes: [{ name: 'users_created_at_id_index', properties: ['createdAt', 'id'] }],
});
