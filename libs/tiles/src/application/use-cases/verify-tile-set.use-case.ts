import { Injectable } from '@nestjs/common';
import { type DamagedObject, forEachLimited, ObjectStorage, verifyStoredObject } from '#shared-kernel';
import { manifestKey, tileKey } from '../../domain/manifest.js';
import { readManifest } from '../read-manifest.js';
import { TileSetRepository } from '../ports/tile-set.repository.port.js';

/** Tiles read and hashed at once per tile set. */
const PARALLEL_READS = 8;

export interface TileSetIntegrity {
  tileSetId: string;
  /** Objects read (tiles and the manifest). */
  checkedObjects: number;
  checkedBytes: number;
  damaged: DamagedObject[];
}

/**
 * Verifies every stored object of a ready tile set against its manifest (size and SHA-256
 * of each tile); a missing manifest is damage too. Tile sets not ready have nothing
 * recorded yet and are reported as checked with nothing.
 */
@Injectable()
export class VerifyTileSetUseCase {
  constructor(
    private readonly tileSets: TileSetRepository,
    private readonly storage: ObjectStorage,
  ) {}

  async execute(tileSetId: string, only?: readonly string[]): Promise<TileSetIntegrity> {
    const report: TileSetIntegrity = { tileSetId, checkedObjects: 0, checkedBytes: 0, damaged: [] };
    const tileSet = await this.tileSets.findById(tileSetId);
    if (!tileSet || tileSet.status !== 'ready') return report;
    const manifest = await readManifest(this.storage, tileSetId);
    report.checkedObjects++;
    if (!manifest) {
      report.damaged.push({
        key: manifestKey(tileSetId),
        problem: 'missing',
        expected: { bytes: 0, sha256: '' },
      });
      return report;
    }
    const tiles = only ? manifest.tiles.filter((tile) => only.includes(tile.path)) : manifest.tiles;
    await forEachLimited(tiles, PARALLEL_READS, async (tile) => {
      const damage = await verifyStoredObject(this.storage, tileKey(tileSetId, tile.path), tile);
      report.checkedObjects++;
      report.checkedBytes += tile.bytes;
      if (damage) report.damaged.push(damage);
    });
    report.damaged.sort((a, b) => (a.key < b.key ? -1 : 1));
    return report;
  }
}
