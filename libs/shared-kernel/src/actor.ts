/** Who acts: the caller's id and role, as the access token says. */
export interface Actor {
  userId: string;
  role: 'user' | 'admin';
}

/** Owners and admins may read; only owners may change. Others must not learn a thing exists. */
export const canRead = (actor: Actor, resource: { ownerId: string }) =>
  actor.role === 'admin' || actor.userId === resource.ownerId;
export const canWrite = (actor: Actor, resource: { ownerId: string }) => actor.userId === resource.ownerId;
