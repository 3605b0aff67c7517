import { Injectable } from '@nestjs/common';
import { CheckIntegrityUseCase, type DamagedStoredObject, type IntegrityScope } from '#panoramas';
import { CheckRenditionsIntegrityUseCase } from '#renditions';
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
 * everything. Spans the nouns: panoramas check originals and tile sets, renditions their own.
 */
@Injectable()
export class CheckFullIntegrityUseCase {
  constructor(
    private readonly stored: CheckIntegrityUseCase,
    private readonly renditions: CheckRenditionsIntegrityUseCase,
  ) {}

  async execute(scope: IntegrityScope, repair?: TileSetRepair): Promise<FullIntegrityReport> {
    const stored = await this.stored.execute(scope, repair);
    if (scope.tileSetId) return stored;
    const derived = await this.renditions.execute({ panoramaId: scope.panoramaId }, repair);
    return {
      checkedObjects: stored.checkedObjects + derived.checkedObjects,
      checkedBytes: stored.checkedBytes + derived.checkedBytes,
      damaged: [...stored.damaged, ...derived.damaged],
      repairs: [...stored.repairs, ...derived.repairs],
    };
  }
}
