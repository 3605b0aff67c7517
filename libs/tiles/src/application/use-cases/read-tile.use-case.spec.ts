import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { ObjectNotFoundError, type ObjectRead, type ObjectStorage, StorageUnavailableError } from '#shared-kernel';
import type { ManifestTile } from '../../domain/manifest.js';
import { TileSet } from '../../domain/tile-set.js';
import { TileNotFoundError } from '../../domain/tiles.errors.js';
import type { ReadyTileSets } from '../ready-tile-sets.service.js';
import { TileBytesCache } from '../tile-bytes-cache.js';
import { ReadTileUseCase } from './read-tile.use-case.js';

/** 1000 x 500 in 256 px tiles: Deep Zoom levels 0 to 10, level 10 is 4 x 2 tiles. */
const tileSet = Object.assign(
  TileSet.queue({
    id: 'aaaaaaaa-0000-4000-8000-000000000002',
    panoramaId: 'p',
    ownerId: 'owner',
    sourceKey: 'k',
    sourceWidth: 1000,
    sourceHeight: 500,
    options: { tileSize: 256, format: 'png', quality: 85, overlap: 0, layout: 'deepzoom' },
    now: new Date(),
  }),
  { status: 'ready' as const },
);
const owner = { userId: 'owner', role: 'user' as const };
const sha = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

function setUp(stored: Record<string, Buffer | Error>, listed: Record<string, Buffer | string> = {}) {
  const tiles = new Map<string, ManifestTile>(
    Object.entries(listed).map(([path, content]) => [
      path,
      { path, bytes: 1, sha256: typeof content === 'string' ? content : sha(content) },
    ]),
  );
  const reads: string[] = [];
  const lookUp = (key: string): Promise<Buffer> => {
    reads.push(key);
    const found = stored[key];
    if (found === undefined) return Promise.reject(new ObjectNotFoundError(key));
    if (found instanceof Error) return Promise.reject(found);
    return Promise.resolve(found);
  };
  const storage = {
    get: async (key: string): Promise<ObjectRead> => {
      const found = await lookUp(key);
      return { body: Readable.from([found]), bytes: found.length };
    },
    readAll: lookUp,
  } as unknown as ObjectStorage;
  const useCase = new ReadTileUseCase(
    { forReader: () => Promise.resolve({ tileSet, tiles }) } as unknown as ReadyTileSets,
    storage,
    new TileBytesCache(1024 * 1024),
  );
  const read = (level: number, col: number, row: number, extension = 'png') =>
    useCase.execute(owner, { tileSetId: tileSet.id, level, col, row, extension });
  return { read, reads };
}

const key = (path: string) => `tilesets/${tileSet.id}/${path}`;

describe('ReadTileUseCase', () => {
  it('answers "no such tile" for another format, coordinates outside the pyramid or a tile the manifest lacks, reading nothing', async () => {
    const bytes = Buffer.from('tile 10/0_0');
    const { read, reads } = setUp({ [key('10/0_0.png')]: bytes }, { '10/0_0.png': bytes });
    for (const attempt of [
      () => read(10, 0, 0, 'jpeg'),
      () => read(10, 4, 0), // level 10 is 4 tiles wide: 0..3
      () => read(11, 0, 0), // no level 11
      () => read(-1, 0, 0),
      () => read(10, 1, 0), // inside the pyramid, not in the manifest
    ])
      await expect(attempt()).rejects.toBeInstanceOf(TileNotFoundError);
    expect(reads).toEqual([]);
  });

  it('reads a tile once, then from memory; a tile the store lost is "no such tile", an outage stays an outage', async () => {
    const bytes = Buffer.from('tile 10/0_0');
    const outage = new StorageUnavailableError(new Error('bucket unreachable'));
    const { read, reads } = setUp(
      { [key('10/0_0.png')]: bytes, [key('10/2_1.png')]: outage },
      { '10/0_0.png': bytes, '10/1_1.png': bytes, '10/2_1.png': bytes },
    );
    const found = await read(10, 0, 0);
    expect(reads).toEqual([]); // nothing read until asked (a 304 reads nothing)
    expect(await found.load()).toEqual(bytes);
    expect(await (await read(10, 0, 0)).load()).toEqual(bytes);
    expect(reads).toEqual([key('10/0_0.png')]);
    expect(await buffer((await found.open()).body)).toEqual(bytes);

    await expect((await read(10, 1, 1)).load()).rejects.toBeInstanceOf(TileNotFoundError);
    await expect((await read(10, 2, 1)).open()).rejects.toBe(outage);
  });

  it('serves damaged bytes as found but never keeps them', async () => {
    const damaged = Buffer.from('not what the manifest says');
    const { read, reads } = setUp(
      { [key('10/0_0.png')]: damaged },
      { '10/0_0.png': sha(Buffer.from('the real tile')) },
    );
    expect(await (await read(10, 0, 0)).load()).toEqual(damaged);
    expect(await (await read(10, 0, 0)).load()).toEqual(damaged);
    expect(reads).toHaveLength(2);
  });
});
