import type { Page, PageRequest } from '#shared-kernel';
import type { TileSet } from '#tiles';
import type { Panorama } from '../../domain/panorama.js';

export interface PanoramaListQuery extends PageRequest {
  ownerId: string;
  /** Case-insensitive substring of the title. */
  title?: string;
}

export interface PanoramaChanges {
  title?: string;
  description?: string | null;
  updatedAt: Date;
}

export abstract class PanoramaRepository {
  /** Live (not deleted) panorama by id. */
  abstract findById(id: string): Promise<Panorama | null>;
  /** Any panorama by id, deleted ones included (for purging). */
  abstract findByIdIncludingDeleted(id: string): Promise<Panorama | null>;
  abstract findByOwnerAndSha256(ownerId: string, sha256: string): Promise<Panorama | null>;
  /**
   * Commits a new panorama and its first tile set in one transaction. Returns false when
   * the owner already has a panorama with the same SHA-256 (a concurrent duplicate won).
   */
  abstract insertWithTileSet(panorama: Panorama, tileSet: TileSet): Promise<boolean>;
  abstract list(query: PanoramaListQuery): Promise<Page<Panorama>>;
  abstract update(id: string, changes: PanoramaChanges): Promise<Panorama | null>;
  /** Hides the panorama from readers (first step of deletion). False if already gone. */
  abstract markDeleted(id: string, at: Date): Promise<boolean>;
  /** Removes the row and its tile-set rows for good. */
  abstract purge(id: string): Promise<void>;
  /** Panoramas whose deletion started but whose purge did not finish. */
  abstract findDeleted(limit: number): Promise<Panorama[]>;
  /** What an owner uses: panoramas not yet purged and the bytes of their originals. */
  abstract usage(ownerId: string): Promise<{ panoramas: number; bytes: number }>;
}
