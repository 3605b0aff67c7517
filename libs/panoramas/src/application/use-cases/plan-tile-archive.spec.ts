import type { ObjectRead, ObjectStorage, Reader } from '#shared-kernel';
import { DEFAULT_TILE_OPTIONS, type GetTileManifestUseCase, TileSet, type TileManifest } from '#tiles';
import type { Panorama } from '../../domain/panorama.js';
import type { DescribePanoramaUseCase } from './describe-panorama.use-case.js';
import { PlanTileArchiveUseCase } from './plan-tile-archive.use-case.js';

const owner: Reader = { userId: 'u1', role: 'user' };

function plan(originalFilename: string, layout: 'deepzoom' | 'sphere') {
  const tileSet = TileSet.queue({
    id: 'ts1',
    panoramaId: 'p1',
    ownerId: 'u1',
    sourceKey: 'originals/u1/p1/original.jpg',
    sourceWidth: 600,
    sourceHeight: 300,
    options: { ...DEFAULT_TILE_OPTIONS, layout },
    now: new Date(0),
  });
  const manifest = {
    tiles: [
      { path: '0/0_0.jpeg', bytes: 10, sha256: 'a' },
      { path: '10/1_0.jpeg', bytes: 20, sha256: 'b' },
    ],
  } as unknown as TileManifest;
  const opened: string[] = [];
  const useCase = new PlanTileArchiveUseCase(
    { execute: () => Promise.resolve({ tileSet, manifest, tiles: new Map() }) } as unknown as GetTileManifestUseCase,
    {
      ofTileSet: () => Promise.resolve({ panorama: { originalFilename } as Panorama, tileSet }),
    } as unknown as DescribePanoramaUseCase,
    {
      get: (key: string) => {
        opened.push(key);
        return Promise.resolve({} as ObjectRead);
      },
    } as unknown as ObjectStorage,
  );
  return { result: useCase.execute(owner, 'ts1'), opened };
}

describe('PlanTileArchiveUseCase', () => {
  it("names the zip after the panorama's original, and a sphere's as 360° tiles", async () => {
    expect((await plan('alps.v2.jpg', 'deepzoom').result).fileName).toBe('alps.v2-tiles.zip');
    expect((await plan('alps.jpg', 'sphere').result).fileName).toBe('alps-360-tiles.zip');
    expect((await plan('.jpg', 'deepzoom').result).fileName).toBe('panorama-tiles.zip');
  });

  it('lists every tile under image_files/, opens each only when asked, and adds the descriptor', async () => {
    const { result, opened } = plan('alps.jpg', 'deepzoom');
    const archive = await result;
    expect(archive.files.map(({ name, bytes }) => ({ name, bytes }))).toEqual([
      { name: 'image_files/0/0_0.jpeg', bytes: 10 },
      { name: 'image_files/10/1_0.jpeg', bytes: 20 },
    ]);
    expect(opened).toEqual([]);
    await archive.files[1].open();
    expect(opened).toEqual(['tilesets/ts1/10/1_0.jpeg']);
    expect(archive.extras.map((e) => e.name)).toEqual(['image.dzi']);
    expect(archive.extras[0].content).toMatch(
      /<Image [^>]*Format="jpeg"[^>]*TileSize="256">\s*<Size Width="600" Height="300"\/>/,
    );
  });
});
