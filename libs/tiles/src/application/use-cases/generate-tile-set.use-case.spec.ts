import { buffer } from 'node:stream/consumers';
import type { Readable } from 'node:stream';
import type { ObjectStorage } from '#shared-kernel';
import { FixedClock, InMemoryTileSetRepository } from '#testing';
import type { ManifestTile, TileManifest } from '../../domain/manifest.js';
import { expectedTileCount } from '../../domain/pyramid.js';
import { CorruptImageError } from '../../domain/tiles.errors.js';
import { TileSet } from '../../domain/tile-set.js';
import type { CutPyramid, PyramidTiler } from '../ports/pyramid-tiler.port.js';
import { GenerateTileSetUseCase } from './generate-tile-set.use-case.js';

const ID = 'aaaaaaaa-0000-4000-8000-000000000003';

/** What the job did to storage, in order. */
class RecordingStorage {
  readonly calls: string[] = [];
  manifest?: TileManifest;
  failPublish?: Error;
  async deletePrefix(prefix: string) {
    this.calls.push(`delete ${prefix}`);
  }
  localPath(key: string) {
    return `/data/${key}`;
  }
  async publishDirectory(prefix: string, directory: string) {
    if (this.failPublish) throw this.failPublish;
    this.calls.push(`publish ${directory} -> ${prefix}`);
  }
  async put(key: string, body: Readable) {
    this.manifest = JSON.parse((await buffer(body)).toString()) as TileManifest;
    this.calls.push(`put ${key}`);
  }
}

function setUp(cut: (expected: number) => ManifestTile[] | Error) {
  const tileSets = new InMemoryTileSetRepository();
  const tileSet = TileSet.queue({
    id: ID,
    panoramaId: 'p',
    ownerId: 'owner',
    sourceKey: 'originals/owner/p/original.jpg',
    sourceWidth: 1000,
    sourceHeight: 500,
    options: { tileSize: 256, format: 'jpeg', quality: 85, overlap: 1, layout: 'deepzoom' },
    now: new Date(0),
  });
  tileSets.rows.set(ID, tileSet);
  const expected = expectedTileCount(tileSet.spec());
  const storage = new RecordingStorage();
  const disposed: string[] = [];
  const tiler = {
    cut: (source: { path?: string }): Promise<CutPyramid> => {
      const tiles = cut(expected);
      if (tiles instanceof Error) return Promise.reject(tiles);
      return Promise.resolve({
        directory: `/scratch/${source.path}`,
        tiles,
        dispose: () => Promise.resolve(void disposed.push('disposed')),
      });
    },
  } as unknown as PyramidTiler;
  const job = new GenerateTileSetUseCase(tileSets, storage as unknown as ObjectStorage, tiler, new FixedClock());
  return { job, tileSets, storage, disposed, expected, row: () => tileSets.rows.get(ID)! };
}

const tiles = (n: number): ManifestTile[] =>
  Array.from({ length: n }, (_, i) => ({ path: `t${i}.jpeg`, bytes: 10, sha256: 'x'.repeat(64) }));

describe('GenerateTileSetUseCase', () => {
  it('clears leftovers, cuts, publishes, writes the manifest last and marks the tile set ready', async () => {
    const { job, storage, disposed, expected, row } = setUp((n) => tiles(n));
    await job.execute(ID);
    expect(storage.calls).toEqual([
      `delete tilesets/${ID}/`,
      `publish /scratch//data/originals/owner/p/original.jpg -> tilesets/${ID}/`,
      `put tilesets/${ID}/manifest.json`,
    ]);
    expect(storage.manifest).toMatchObject({ tileSetId: ID, tileCount: expected, bytes: expected * 10 });
    expect(row()).toMatchObject({
      status: 'ready',
      progress: 1,
      tileCount: expected,
      bytes: expected * 10,
      levels: 11,
    });
    expect(disposed).toEqual(['disposed']);
  });

  it('fails for good when the cut is short or the image is corrupt, leaving nothing behind', async () => {
    for (const [cut, code] of [
      [(n: number) => tiles(n - 1), 'TILING_INCOMPLETE'],
      [() => new CorruptImageError('bad Huffman code'), 'CORRUPT_IMAGE'],
    ] as const) {
      const { job, storage, row } = setUp(cut);
      await expect(job.execute(ID, { isLastAttempt: false })).rejects.toMatchObject({ code });
      expect([row().status, row().errorCode]).toEqual(['failed', code]);
      expect(storage.calls.at(-1)).toBe(`delete tilesets/${ID}/`); // what was published is removed
      expect(storage.calls.some((c) => c.startsWith('put'))).toBe(false);
    }
  });

  it('leaves a transient failure to the queue, and fails the tile set on the last attempt', async () => {
    const first = setUp((n) => tiles(n));
    first.storage.failPublish = new Error('bucket unreachable');
    await expect(first.job.execute(ID, { isLastAttempt: false })).rejects.toThrow('bucket unreachable');
    expect(first.row().status).toBe('processing'); // the retry starts it again
    expect(first.disposed).toEqual(['disposed']);

    const last = setUp((n) => tiles(n));
    last.storage.failPublish = new Error('bucket unreachable');
    await expect(last.job.execute(ID, { isLastAttempt: true })).rejects.toThrow('bucket unreachable');
    expect([last.row().status, last.row().errorCode]).toEqual(['failed', 'TILING_FAILED']);
  });

  it('does nothing for a tile set that is gone or already ready (a duplicate delivery)', async () => {
    const { job, tileSets, storage, row } = setUp(() => new Error('must not cut'));
    Object.assign(row(), { status: 'ready' });
    await job.execute(ID);
    tileSets.rows.clear();
    await job.execute(ID);
    expect(storage.calls).toEqual([]);
  });

  it('removes what it published when the tile set was deleted while it worked', async () => {
    const { job, tileSets, storage } = setUp((n) => {
      tileSets.rows.delete(ID); // deleted during the cut
      return tiles(n);
    });
    await job.execute(ID);
    expect(storage.calls.at(-1)).toBe(`delete tilesets/${ID}/`);
    expect(storage.calls.filter((c) => c.startsWith('delete'))).toHaveLength(2);
  });
});
