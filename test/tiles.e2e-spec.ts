import { join } from 'node:path';
import { makeJpeg, makePngWithAlpha } from '#testing';
import { expectedTileCount, levelCount } from '#tiles';
import { type ApiHarness, expectProblem, fromClient, rawFetch, startApi } from './support/api-harness.js';
import { followEvents, psnr, rawRgba, sha256Hex, stitchTopLevel, unzip } from './support/tiles.js';
import { filesIn, upload } from './support/uploads.js';

/** Minimum PSNR of a stitched JPEG pyramid (quality 90) against the original. */
const JPEG_PSNR_FLOOR_DB = 35;

let api: ApiHarness;
let owner: Awaited<ReturnType<ApiHarness['userClient']>>;
beforeAll(async () => {
  api = await startApi();
  owner = await api.userClient();
});
afterAll(() => api?.close());

const auth = () => ({ authorization: `Bearer ${owner.accessToken}` });
const getBytes = async (path: string, headers: Record<string, string> = auth()) => {
  const response = await fetch(`${api.baseUrl}${path}`, { headers });
  return { response, body: Buffer.from(await response.arrayBuffer()) };
};

async function uploadAndWait(image: Buffer, fields: Record<string, string | number>) {
  const uploaded = await upload(owner.client, image, { fields });
  expect(uploaded.response.status).toBe(202);
  const tileSetId = uploaded.data!.tileSets[0].id;
  const events = await followEvents(`${api.baseUrl}/v1/tilesets/${tileSetId}/events`, owner.accessToken);
  return { panorama: uploaded.data!, tileSetId, events };
}

describe('a PNG pyramid (lossless): every tile, stitched back, equals the original', () => {
  const width = 1500;
  const height = 700;
  let png: Buffer;
  let tileSetId: string;

  beforeAll(async () => {
    png = await makePngWithAlpha(width, height);
    ({ tileSetId } = await uploadAndWait(png, { tileFormat: 'png', tileSize: 256, overlap: 2 }));
  });

  it('streams progress events and ends with ready', async () => {
    const events = await followEvents(`${api.baseUrl}/v1/tilesets/${tileSetId}/events`, owner.accessToken);
    expect(events).toEqual([{ event: 'ready', data: expect.objectContaining({ status: 'ready', progress: 1 }) }]);
    const tileSet = await owner.client.GET('/v1/tilesets/{id}', { params: { path: { id: tileSetId } } });
    expect(tileSet.data).toMatchObject({
      status: 'ready',
      progress: 1,
      levels: levelCount(width, height),
      tileCount: expectedTileCount({ width, height, tileSize: 256, overlap: 2 }),
      errorCode: null,
    });
    expect(tileSet.data!.bytes).toBeGreaterThan(0);
  });

  it('serves a DZI a viewer can follow, and a manifest of every tile', async () => {
    const dzi = await getBytes(`/v1/tilesets/${tileSetId}/image.dzi`);
    expect(dzi.response.headers.get('content-type')).toMatch(/^application\/xml/);
    expect(dzi.body.toString()).toContain('Format="png" Overlap="2" TileSize="256"');
    expect(dzi.body.toString()).toContain(`<Size Width="${width}" Height="${height}"/>`);

    const manifest = await owner.client.GET('/v1/tilesets/{id}/manifest', {
      params: { path: { id: tileSetId }, query: { tiles: true } },
    });
    expect(manifest.data).toMatchObject({
      width,
      height,
      format: 'png',
      tileUrlTemplate: `/v1/tilesets/${tileSetId}/image_files/{level}/{col}_{row}.png`,
    });
    expect(manifest.data!.tiles).toHaveLength(manifest.data!.tileCount);
    expect(
      (await owner.client.GET('/v1/tilesets/{id}/manifest', { params: { path: { id: tileSetId } } })).data!.tiles,
    ).toBeUndefined();

    // Every tile the manifest lists is served, with its checksum as ETag.
    for (const tile of manifest.data!.tiles!) {
      const { response, body } = await getBytes(`/v1/tilesets/${tileSetId}/image_files/${tile.path}`);
      expect(response.status).toBe(200);
      expect(response.headers.get('etag')).toBe(`"${tile.sha256}"`);
      expect(sha256Hex(body)).toBe(tile.sha256);
      expect(body.length).toBe(tile.bytes);
    }
  });

  it('stitches the full-resolution level back into exactly the original pixels', async () => {
    const top = levelCount(width, height) - 1;
    const stitched = await stitchTopLevel(
      { width, height, tileSize: 256, overlap: 2 },
      async (col, row) => (await getBytes(`/v1/tilesets/${tileSetId}/image_files/${top}/${col}_${row}.png`)).body,
    );
    const original = await rawRgba(png);
    let differing = 0;
    for (let i = 0; i < original.length; i++) if (stitched[i] !== original[i]) differing++;
    expect(differing).toBe(0);
  });

  it('answers conditional, cacheable tile requests', async () => {
    const path = `/v1/tilesets/${tileSetId}/image_files/0/0_0.png`;
    const first = await getBytes(path);
    expect(first.response.headers.get('cache-control')).toBe('private, max-age=31536000, immutable');
    expect(first.response.headers.get('content-type')).toBe('image/png');
    const etag = first.response.headers.get('etag')!;
    const again = await fetch(`${api.baseUrl}${path}`, { headers: { ...auth(), 'if-none-match': etag } });
    expect(again.status).toBe(304);
    expect(again.headers.get('etag')).toBe(etag);
  });

  it('answers coordinates outside the pyramid with a cacheable 404, malformed ones with 400', async () => {
    const top = levelCount(width, height) - 1;
    for (const tile of [`${top + 1}/0_0.png`, `${top}/6_0.png`, `${top}/0_3.png`, '0/0_0.jpeg', '999/0_0.png']) {
      const response = await rawFetch(api.baseUrl, `/v1/tilesets/${tileSetId}/image_files/${tile}`, {
        headers: auth(),
      });
      expectProblem(response, 404, 'TILE_NOT_FOUND');
      expect(response.headers.get('cache-control')).toBe('private, max-age=86400');
    }
    for (const tile of ['-1/0_0.png', '0/-1_0.png', '0/a_b.png', '0/0_0', '1e3/0_0.png', '0/00000000000_0.png']) {
      expectProblem(
        await rawFetch(api.baseUrl, `/v1/tilesets/${tileSetId}/image_files/${tile}`, { headers: auth() }),
        400,
        'VALIDATION_FAILED',
      );
    }
  });

  it('streams a zip of the descriptor and every tile, byte for byte', async () => {
    const { response, body } = await getBytes(`/v1/tilesets/${tileSetId}/archive`);
    expect(response.headers.get('content-type')).toBe('application/zip');
    expect(response.headers.get('content-disposition')).toMatch(
      /^attachment; filename="panorama-tiles\.zip"; filename\*=UTF-8''panorama-tiles\.zip$/,
    );
    const entries = await unzip(body);
    const manifest = (
      await owner.client.GET('/v1/tilesets/{id}/manifest', {
        params: { path: { id: tileSetId }, query: { tiles: true } },
      })
    ).data!;
    expect(entries.size).toBe(manifest.tileCount + 1);
    expect(entries.get('image.dzi')!.toString()).toContain('Format="png"');
    for (const tile of manifest.tiles!) expect(sha256Hex(entries.get(`image_files/${tile.path}`)!)).toBe(tile.sha256);
  });

  it('hides the tiles from other users exactly like a missing tile set', async () => {
    const other = await api.userClient();
    const missing = 'f47ac10b-58cc-4372-a567-0e02b2c3d479';
    for (const suffix of ['', '/manifest', '/image.dzi', '/image_files/0/0_0.png', '/archive', '/events']) {
      const theirs = await rawFetch(api.baseUrl, `/v1/tilesets/${tileSetId}${suffix}`, {
        headers: { authorization: `Bearer ${other.accessToken}` },
      });
      const absent = await rawFetch(api.baseUrl, `/v1/tilesets/${missing}${suffix}`, {
        headers: { authorization: `Bearer ${other.accessToken}` },
      });
      expectProblem(theirs, 404, 'TILE_SET_NOT_FOUND');
      expect(absent.status).toBe(404);
      expect(theirs.body.detail).toBe(absent.body.detail);
    }
    // Admins may look.
    const admin = await api.adminClient();
    expect((await admin.GET('/v1/tilesets/{id}', { params: { path: { id: tileSetId } } })).response.status).toBe(200);
  });
});

describe('a JPEG pyramid (lossy)', () => {
  it('stitches back within the PSNR floor', async () => {
    const [width, height] = [2000, 1000];
    const jpeg = await makeJpeg(width, height, 95);
    const { tileSetId, events } = await uploadAndWait(jpeg, { tileFormat: 'jpeg', tileQuality: 90, overlap: 1 });
    expect(events.at(-1)).toMatchObject({ event: 'ready', data: { progress: 1 } });
    const progress = events.map((e) => e.data.progress);
    expect(progress).toEqual([...progress].sort((a, b) => a - b)); // never goes back
    expect(events.slice(0, -1).every((e) => e.event === 'progress' && e.data.progress < 1)).toBe(true);
    const top = levelCount(width, height) - 1;
    const stitched = await stitchTopLevel(
      { width, height, tileSize: 256, overlap: 1 },
      async (col, row) => (await getBytes(`/v1/tilesets/${tileSetId}/image_files/${top}/${col}_${row}.jpeg`)).body,
    );
    const quality = psnr(stitched, await rawRgba(jpeg));
    expect(quality).toBeGreaterThan(JPEG_PSNR_FLOOR_DB);
  });
});

describe('the archive of a larger pyramid', () => {
  it('streams every tile of a pyramid with dozens of them', async () => {
    const { tileSetId } = await uploadAndWait(await makeJpeg(1800, 900), { tileFormat: 'jpeg', overlap: 0 });
    const manifest = JSON.parse((await getBytes(`/v1/tilesets/${tileSetId}/manifest?tiles=true`)).body.toString()) as {
      tiles: { path: string }[];
    };
    const { response, body } = await getBytes(`/v1/tilesets/${tileSetId}/archive`);
    expect(response.status).toBe(200);
    const entries = await unzip(body);
    expect(manifest.tiles.length).toBeGreaterThan(20);
    expect([...entries.keys()].sort()).toEqual(
      ['image.dzi', ...manifest.tiles.map((t) => `image_files/${t.path}`)].sort(),
    );
  });
});

describe('tile sets of a panorama', () => {
  it('creates (202) or finds (200) a tile set by options, lists them, deletes one with its files', async () => {
    const uploaded = await upload(owner.client, await makeJpeg(900, 400));
    const panoramaId = uploaded.data!.id;
    const created = await owner.client.POST('/v1/panoramas/{id}/tilesets', {
      params: { path: { id: panoramaId } },
      body: { tileSize: 128, format: 'webp', quality: 70, overlap: 0 },
    });
    expect(created.response.status).toBe(202);
    expect(created.response.headers.get('location')).toBe(`/v1/tilesets/${created.data!.id}`);
    const again = await owner.client.POST('/v1/panoramas/{id}/tilesets', {
      params: { path: { id: panoramaId } },
      body: { tileSize: 128, format: 'webp', quality: 70, overlap: 0 },
    });
    expect(again.response.status).toBe(200);
    expect(again.data!.id).toBe(created.data!.id);
    expectProblem(
      fromClient(
        await owner.client.POST('/v1/panoramas/{id}/tilesets', {
          params: { path: { id: panoramaId } },
          body: { tileSize: 32 },
        }),
      ),
      400,
      'VALIDATION_FAILED',
    );

    const events = await followEvents(`${api.baseUrl}/v1/tilesets/${created.data!.id}/events`, owner.accessToken);
    expect(events.at(-1)).toMatchObject({ event: 'ready' });
    const tile = await getBytes(`/v1/tilesets/${created.data!.id}/image_files/0/0_0.webp`);
    expect(tile.response.headers.get('content-type')).toBe('image/webp');

    const list = await owner.client.GET('/v1/panoramas/{id}/tilesets', { params: { path: { id: panoramaId } } });
    expect(list.data!.map((t) => [t.tileSize, t.format])).toEqual([
      [256, 'jpeg'],
      [128, 'webp'],
    ]);

    expect(
      (await owner.client.DELETE('/v1/tilesets/{id}', { params: { path: { id: created.data!.id } } })).response.status,
    ).toBe(204);
    expect(await filesIn(join(api.storageRoot, 'tilesets', created.data!.id))).toEqual([]);
    expectProblem(
      fromClient(await owner.client.GET('/v1/tilesets/{id}', { params: { path: { id: created.data!.id } } })),
      404,
      'TILE_SET_NOT_FOUND',
    );
    expectProblem(
      await rawFetch(api.baseUrl, `/v1/tilesets/${created.data!.id}/image_files/0/0_0.webp`, { headers: auth() }),
      404,
      'TILE_SET_NOT_FOUND',
    );
  });

  it("deleting the panorama removes every tile set's files too", async () => {
    const { panorama, tileSetId } = await uploadAndWait(await makeJpeg(700, 300), {});
    expect((await filesIn(join(api.storageRoot, 'tilesets', tileSetId))).length).toBeGreaterThan(0);
    await owner.client.DELETE('/v1/panoramas/{id}', { params: { path: { id: panorama.id } } });
    expect(await filesIn(join(api.storageRoot, 'tilesets', tileSetId))).toEqual([]);
  });
});

describe('a corrupt image', () => {
  it('fails the tile set with a code and stores no tiles', async () => {
    const jpeg = await makeJpeg(3000, 1500);
    const truncated = jpeg.subarray(0, Math.floor(jpeg.length * 0.6)); // header intact, data cut
    const { tileSetId, events } = await uploadAndWait(truncated, {});
    expect(events.at(-1)).toMatchObject({ event: 'failed', data: { status: 'failed', errorCode: 'CORRUPT_IMAGE' } });
    expect(await filesIn(join(api.storageRoot, 'tilesets', tileSetId))).toEqual([]);
    const notReady = expectProblem(
      await rawFetch(api.baseUrl, `/v1/tilesets/${tileSetId}/image.dzi`, { headers: auth() }),
      409,
      'TILE_SET_NOT_READY',
    );
    expect(notReady.tileSetStatus).toBe('failed');
  });
});
