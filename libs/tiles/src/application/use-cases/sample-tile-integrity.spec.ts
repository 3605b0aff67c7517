import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { LocalObjectStorage } from '#storage';
import { InMemoryTileSetRepository } from '#testing';
import { manifestKey, SampleTileIntegrityUseCase, TileSet, tileKey, VerifyTileSetUseCase } from '#tiles';

/** The sample check over real files: it finds damage among the tiles it picks. */
let root: string;
let storage: LocalObjectStorage;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'tessera-sample-'));
  storage = new LocalObjectStorage(root);
});
afterEach(() => rm(root, { recursive: true, force: true }));

async function publishReadyTileSet(repository: InMemoryTileSetRepository, id: string, tiles: number) {
  const entries = [];
  for (let i = 0; i < tiles; i++) {
    const bytes = Buffer.from(`tile ${i} of ${id}`);
    const path = `5/${i}_0.png`;
    await storage.put(tileKey(id, path), Readable.from([bytes]));
    entries.push({ path, bytes: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') });
  }
  await storage.put(manifestKey(id), Readable.from([Buffer.from(JSON.stringify({ tileSetId: id, tiles: entries }))]));
  const tileSet = TileSet.queue({
    id,
    panoramaId: 'p',
    ownerId: 'o',
    sourceKey: 'k',
    sourceWidth: 32,
    sourceHeight: 1,
    options: { tileSize: 1, format: 'png', quality: 85, overlap: 0, layout: 'deepzoom' },
    now: new Date(),
  });
  repository.rows.set(id, Object.assign(tileSet, { status: 'ready' }));
}

it('verifies a sample spread over ready tile sets and reports damage by key', async () => {
  const repository = new InMemoryTileSetRepository();
  const ids = ['aaaaaaaa-0000-4000-8000-000000000001', 'aaaaaaaa-0000-4000-8000-000000000002'];
  for (const id of ids) await publishReadyTileSet(repository, id, 10);
  await writeFile(join(root, 'tilesets', ids[1], '5', '3_0.png'), 'overwritten');
  const sample = new SampleTileIntegrityUseCase(repository, storage, new VerifyTileSetUseCase(repository, storage));

  // A sample as large as everything: the damage is found, each tile read once.
  const reports = await sample.execute(20);
  expect(reports.map((r) => r.checkedObjects).reduce((a, b) => a + b)).toBe(2 * (10 + 1));
  expect(reports.flatMap((r) => r.damaged).map((d) => [d.key, d.problem])).toEqual([
    [`tilesets/${ids[1]}/5/3_0.png`, 'size'],
  ]);

  // A small sample reads only that many tiles (plus each manifest).
  const small = await sample.execute(4);
  expect(small.map((r) => r.checkedObjects).reduce((a, b) => a + b)).toBe(2 * (2 + 1));
});
