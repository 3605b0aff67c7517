import { Injectable } from '@nestjs/common';
import { type DamagedObject, ObjectStorage, verifyStoredObject } from '#shared-kernel';
import {
  RepairTileSetUseCase,
  TileSetNotFoundError,
  TileSetRepository,
  type TileSetRepair,
  VerifyTileSetUseCase,
} from '#tiles';
import type { Panorama } from '../../domain/panorama.js';
import { PanoramaNotFoundError } from '../../domain/panoramas.errors.js';
import { PanoramaRepository } from '../ports/panorama.repository.port.js';

/** Everything (no field), one panorama (its original and tile sets) or one tile set. */
export interface IntegrityScope {
  panoramaId?: string;
  tileSetId?: string;
}

export interface DamagedStoredObject extends DamagedObject {
  panoramaId: string;
  /** Set for a tile set's objects (absent for an original). */
  tileSetId?: string;
}

export interface IntegrityReport {
  checkedObjects: number;
  checkedBytes: number;
  damaged: DamagedStoredObject[];
  /** Tile sets found damaged and what was done to them (when a repair was asked for). */
  repairs: { tileSetId: string; repair: TileSetRepair; applied: boolean }[];
}

const PAGE = 100;

/**
 * Verifies stored objects against what was recorded when they were written: each original
 * against the panorama's size and SHA-256, each tile of a ready tile set against its
 * manifest (SECURITY.md item 21). Reports every damaged or missing object by its key and,
 * when asked, re-cuts or fails the damaged tile sets. An original cannot be repaired: it is
 * reported for an operator to restore from a backup.
 */
@Injectable()
export class CheckIntegrityUseCase {
  constructor(
    private readonly panoramas: PanoramaRepository,
    private readonly tileSets: TileSetRepository,
    private readonly storage: ObjectStorage,
    private readonly verifyTileSet: VerifyTileSetUseCase,
    private readonly repairTileSet: RepairTileSetUseCase,
  ) {}

  async execute(scope: IntegrityScope, repair?: TileSetRepair): Promise<IntegrityReport> {
    const report: IntegrityReport = { checkedObjects: 0, checkedBytes: 0, damaged: [], repairs: [] };
    if (scope.tileSetId) {
      const tileSet = await this.tileSets.findById(scope.tileSetId);
      if (!tileSet) throw new TileSetNotFoundError();
      await this.checkTileSet(report, tileSet.panoramaId, tileSet.id, repair);
    } else if (scope.panoramaId) {
      const panorama = await this.panoramas.findById(scope.panoramaId);
      if (!panorama) throw new PanoramaNotFoundError();
      await this.checkPanorama(report, panorama, repair);
    } else {
      for (let after: string | undefined; ;) {
        const page = await this.panoramas.scan(after, PAGE);
        for (const panorama of page) await this.checkPanorama(report, panorama, repair);
        if (page.length < PAGE) break;
        after = page[page.length - 1].id;
      }
    }
    return report;
  }

  private async checkPanorama(report: IntegrityReport, panorama: Panorama, repair?: TileSetRepair): Promise<void> {
    const damage = await verifyStoredObject(this.storage, panorama.originalKey, panorama);
    report.checkedObjects++;
    report.checkedBytes += panorama.bytes;
    if (damage) report.damaged.push({ ...damage, panoramaId: panorama.id });
    for (const tileSet of await this.tileSets.findByPanorama(panorama.id)) {
      await this.checkTileSet(report, panorama.id, tileSet.id, repair);
    }
  }

  private async checkTileSet(
    report: IntegrityReport,
    panoramaId: string,
    tileSetId: string,
    repair?: TileSetRepair,
  ): Promise<void> {
    const result = await this.verifyTileSet.execute(tileSetId);
    report.checkedObjects += result.checkedObjects;
    report.checkedBytes += result.checkedBytes;
    report.damaged.push(...result.damaged.map((damage) => ({ ...damage, panoramaId, tileSetId })));
    if (repair && result.damaged.length > 0) {
      report.repairs.push({ tileSetId, repair, applied: await this.repairTileSet.execute(tileSetId, repair) });
    }
  }
}
