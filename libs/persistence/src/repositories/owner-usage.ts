import type { EntityManager } from '@mikro-orm/postgresql';
import type { StorageUsage } from '#panoramas';

/**
 * Owners' storage by kind, in one statement (inside `em`'s transaction when it has one):
 * panoramas not yet purged and their originals' bytes, ready renditions, ready tile sets.
 * The one definition of usage both the upload commit and the rendition commit check
 * quotas against.
 */
export async function ownersUsage(
  em: EntityManager,
  ownerIds: string[],
  /** `read`: may be served by a replica (ReadReplicas.read), outside a transaction only. */
  connectionType: 'read' | 'write' = 'write',
): Promise<Map<string, StorageUsage>> {
  const usage = new Map<string, StorageUsage>(
    ownerIds.map((id) => [id, { panoramas: 0, bytes: 0, originalBytes: 0, renditionBytes: 0, tileBytes: 0 }]),
  );
  if (ownerIds.length === 0) return usage;
  const rows = await em
    .getConnection(em.getTransactionContext() ? 'write' : connectionType)
    .execute<
      { owner_id: string; panoramas: string; original_bytes: string; rendition_bytes: string; tile_bytes: string }[]
    >(
      `with owners as (select distinct jsonb_array_elements_text(?::jsonb)::uuid as owner_id)
     select o.owner_id,
       (select count(*) from panoramas p where p.owner_id = o.owner_id) as panoramas,
       (select coalesce(sum(p.bytes), 0) from panoramas p where p.owner_id = o.owner_id) as original_bytes,
       (select coalesce(sum(r.bytes), 0) from renditions r where r.owner_id = o.owner_id and r.status = 'ready') as rendition_bytes,
       (select coalesce(sum(t.bytes), 0) from tile_sets t where t.owner_id = o.owner_id and t.status = 'ready') as tile_bytes
     from owners o`,
      // As JSON: the driver does not bind JS arrays.
      [JSON.stringify(ownerIds)],
      'all',
      em.getTransactionContext(),
    );
  for (const row of rows) {
    const originalBytes = Number(row.original_bytes);
    const renditionBytes = Number(row.rendition_bytes);
    usage.set(row.owner_id, {
      panoramas: Number(row.panoramas),
      bytes: originalBytes + renditionBytes,
      originalBytes,
      renditionBytes,
      tileBytes: Number(row.tile_bytes),
    });
  }
  return usage;
}

/** One owner's storage (see ownersUsage). */
export async function ownerUsage(em: EntityManager, ownerId: string): Promise<StorageUsage> {
  return (await ownersUsage(em, [ownerId])).get(ownerId)!;
}
