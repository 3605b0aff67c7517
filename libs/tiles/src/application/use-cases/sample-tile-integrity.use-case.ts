import { Injectable, Logger } from '@nestjs/common';
import { ObjectStorage } from '#shared-kernel';
import { TileSetRepository } from '../ports/tile-set.repository.port.js';
import { readManifest } from '../read-manifest.js';
import { type TileSetIntegrity, VerifyTileSetUseCase } from './verify-tile-set.use-case.js';

/** Tile sets a sample is spread over. */
const SETS_PER_SAMPLE = 20;

/**
 * The scheduled sample check: verifies `tiles` tiles picked at random across ready tile
 * sets picked at random, so damage (a disk, a bucket edited by hand) is found without
 * reading everything. Damage is logged as an error naming each key, with the command that
 * checks and repairs the whole tile set.
 */
@Injectable()
export class SampleTileIntegrityUseCase {
  private readonly logger = new Logger('Integrity');

  constructor(
    private readonly tileSets: TileSetRepository,
    private readonly storage: ObjectStorage,
    private readonly verify: VerifyTileSetUseCase,
  ) {}

  async execute(tiles: number): Promise<TileSetIntegrity[]> {
    const sets = await this.tileSets.sampleReady(SETS_PER_SAMPLE);
    const perSet = Math.max(1, Math.ceil(tiles / Math.max(1, sets.length)));
    const reports: TileSetIntegrity[] = [];
    for (const tileSet of sets) {
      const manifest = await readManifest(this.storage, tileSet.id);
      const paths = manifest
        ? pickRandom(
            manifest.tiles.map((t) => t.path),
            perSet,
          )
        : undefined;
      const report = await this.verify.execute(tileSet.id, paths);
      reports.push(report);
      for (const damage of report.damaged) {
        this.logger.error(
          { tileSetId: tileSet.id, key: damage.key, problem: damage.problem },
          `Damaged stored object ${damage.key} (${damage.problem}); check and repair its tile set with: ` +
            `npm run integrity -- --tile-set ${tileSet.id} --repair recut`,
        );
      }
    }
    const checked = reports.reduce((sum, r) => sum + r.checkedObjects, 0);
    const damaged = reports.reduce((sum, r) => sum + r.damaged.length, 0);
    this.logger.log(`Integrity sample: ${checked} object(s) of ${sets.length} tile set(s) checked, ${damaged} damaged`);
    return reports;
  }
}

function pickRandom<T>(items: T[], count: number): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [copy[i], copy[j]] = [copy[j], copy[i]];
  }
  return copy.slice(0, count);
}
