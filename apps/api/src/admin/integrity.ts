import type { CheckIntegrityUseCase, DamagedStoredObject, IntegrityScope } from '#panoramas';
import type { CheckRenditionsIntegrityUseCase } from '#renditions';
import type { TileSetRepair } from '#tiles';

/** One report over originals, tile sets and renditions. */
export interface FullIntegrityReport {
  checkedObjects: number;
  checkedBytes: number;
  damaged: (DamagedStoredObject & { renditionId?: string })[];
  repairs: { tileSetId?: string; renditionId?: string; repair: TileSetRepair; applied: boolean }[];
}

/**
 * Checks what a scope holds: a tile set; a panorama (original, tile sets, renditions); or
 * everything. Composed here, at the edge, because panoramas do not know renditions.
 */
export async function checkIntegrity(
  panoramas: CheckIntegrityUseCase,
  renditions: CheckRenditionsIntegrityUseCase,
  scope: IntegrityScope,
  repair?: TileSetRepair,
): Promise<FullIntegrityReport> {
  const stored = await panoramas.execute(scope, repair);
  if (scope.tileSetId) return stored;
  const derived = await renditions.execute({ panoramaId: scope.panoramaId }, repair);
  return {
    checkedObjects: stored.checkedObjects + derived.checkedObjects,
    checkedBytes: stored.checkedBytes + derived.checkedBytes,
    damaged: [...stored.damaged, ...derived.damaged],
    repairs: [...stored.repairs, ...derived.repairs],
  };
}
