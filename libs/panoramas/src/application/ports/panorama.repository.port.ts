import type { Page, PageRequest, SqlTransaction } from '#shared-kernel';
import type { TileSet } from '#tiles';
import type { Panorama } from '../../domain/panorama.js';
import type { Projection } from '../../domain/projection.js';
import type { Quota, StorageUsage, Usage } from '../../domain/quota.js';

export interface PanoramaListQuery extends PageRequest {
  ownerId: string;
  /** Case-insensitive substring of the title. */
  title?: string;
  /** Only panoramas carrying every one of these tags. */
  tags?: readonly string[];
  /** Uploaded at or after / before these instants. */
  createdFrom?: Date;
  createdBefore?: Date;
  /** Only these panoramas (a collection's members). */
  ids?: readonly string[];
}

export interface PanoramaChanges {
  title?: string;
  description?: string | null;
  projection?: Projection;
  tags?: readonly string[];
  updatedAt: Date;
}

export abstract class PanoramaRepository {
  /** Live (not deleted) panorama by id. */
  abstract findById(id: string): Promise<Panorama | null>;
  /** Any panorama by id, deleted ones included (for purging). */
  abstract findByIdIncludingDeleted(id: string): Promise<Panorama | null>;
  abstract findByOwnerAndSha256(ownerId: string, sha256: string): Promise<Panorama | null>;
  /**
   * Commits a new panorama and its first tile set in one transaction that first locks the
   * owner, so that one owner's uploads commit one after another and each is checked against
   * `quota` with all those before it counted (assertWithinQuota). Returns false when the
   * owner already has a panorama with the same SHA-256 (a concurrent duplicate won). Throws
   * QuotaExceededError, or OwnerNotFoundError when the owner is gone.
   * `alsoInTransaction` runs last, inside the same transaction (to send jobs that must
   * exist if and only if the panorama does); if it throws, nothing is committed.
   */
  abstract insertWithTileSet(
    panorama: Panorama,
    tileSet: TileSet,
    quota: Quota,
    alsoInTransaction?: (transaction: SqlTransaction) => Promise<void>,
  ): Promise<boolean>;
  abstract list(query: PanoramaListQuery): Promise<Page<Panorama>>;
  /** Live panoramas of every owner, by id, after `afterId` (for full scans). */
  abstract scan(afterId: string | undefined, limit: number): Promise<Panorama[]>;
  abstract update(id: string, changes: PanoramaChanges): Promise<Panorama | null>;
  /** Hides the panorama from readers (first step of deletion). False if already gone. */
  abstract markDeleted(id: string, at: Date): Promise<boolean>;
  /** Removes the row and its tile-set rows for good. */
  abstract purge(id: string): Promise<void>;
  /** Panoramas whose deletion started but whose purge did not finish. */
  abstract findDeleted(limit: number): Promise<Panorama[]>;
  /** What counts against an owner's quota (see Usage). */
  abstract usage(ownerId: string): Promise<Usage>;
  /** Each owner's storage by kind (owners with nothing stored get zeros). */
  abstract storageUsage(ownerIds: string[]): Promise<Map<string, StorageUsage>>;
}
