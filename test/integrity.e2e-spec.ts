import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { makeJpeg, makePngWithAlpha } from '#testing';
import { type ApiHarness, expectProblem, rawFetch, startApi } from './support/api-harness.js';
import { assertBuilt, INTEGRITY_CLI, run } from './support/processes.js';
import { followEvents } from './support/tiles.js';
import { upload } from './support/uploads.js';

/**
 * SECURITY.md item 21: a stored object damaged or deleted behind the service's back is
 * found, reported by its key, and a damaged tile set can be cut again or failed. Once a
 * deleted tile answered 404 while its tile set stayed ready, and an overwritten one was
 * served under its old ETag with nothing to tell.
 */
beforeAll(assertBuilt);

let api: ApiHarness;
let adminToken: string;
beforeAll(async () => {
  api = await startApi({ INTEGRITY_SAMPLE_CRON: 'off' });
  adminToken = (
    await api
      .client()
      .POST('/v1/auth/login', { body: { email: 'admin@tessera.test', password: 'admin password for tests' } })
  ).data!.accessToken;
});
afterAll(() => api?.close());

const check = (body: Record<string, unknown>, token = adminToken) =>
  rawFetch(api.baseUrl, '/v1/admin/integrity', {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });

async function readyTileSet(image: Buffer) {
  const admin = await api.adminClient();
  const uploaded = await upload(admin, image, { fields: { tileFormat: 'png', overlap: 0 } });
  const panorama = uploaded.data!;
  const tileSetId = panorama.tileSets[0].id;
  expect((await followEvents(`${api.baseUrl}/v1/tilesets/${tileSetId}/events`, adminToken)).at(-1)?.event).toBe(
    'ready',
  );
  return { panorama, tileSetId, file: (path: string) => join(api.storageRoot, 'tilesets', tileSetId, path) };
}

it('finds a deleted tile and an overwritten one by their keys, and a damaged original', async () => {
  const { panorama, tileSetId, file } = await readyTileSet(await makePngWithAlpha(1100, 500));
  expect((await check({ tileSetId })).body).toMatchObject({ damaged: [], repairs: [] });

  await rm(file('11/0_0.png'));
  const overwritten = await readFile(file('11/1_0.png'));
  overwritten[overwritten.length - 20] ^= 0xff; // same size, other bytes
  await writeFile(file('11/1_0.png'), overwritten);
  const original = join(api.storageRoot, 'originals', panorama.ownerId, panorama.id, 'original.png');
  await writeFile(original, (await readFile(original)).subarray(0, 1000)); // truncated

  const byTileSet = await check({ tileSetId });
  expect(byTileSet.status).toBe(200);
  expect(byTileSet.body.damaged).toEqual([
    expect.objectContaining({ key: `tilesets/${tileSetId}/11/0_0.png`, problem: 'missing', tileSetId }),
    expect.objectContaining({ key: `tilesets/${tileSetId}/11/1_0.png`, problem: 'checksum', tileSetId }),
  ]);
  // Nothing repaired unless asked: the tile set is still ready.
  expect(
    (await rawFetch(api.baseUrl, `/v1/tilesets/${tileSetId}`, { headers: { authorization: `Bearer ${adminToken}` } }))
      .body,
  ).toMatchObject({ status: 'ready' });

  const byPanorama = await check({ panoramaId: panorama.id });
  expect((byPanorama.body.damaged as { key: string; problem: string }[]).map((d) => [d.key, d.problem])).toEqual([
    [`originals/${panorama.ownerId}/${panorama.id}/original.png`, 'size'],
    [`tilesets/${tileSetId}/11/0_0.png`, 'missing'],
    [`tilesets/${tileSetId}/11/1_0.png`, 'checksum'],
  ]);
  const everything = await check({});
  expect((everything.body.damaged as unknown[]).length).toBeGreaterThanOrEqual(3);

  // Damaged bytes served are never kept in the tile cache: once the file is right again (as
  // a repair makes it), the right bytes are served at once.
  const tile = () =>
    fetch(`${api.baseUrl}/v1/tilesets/${tileSetId}/image_files/11/1_0.png`, {
      headers: { authorization: `Bearer ${adminToken}` },
    }).then(async (r) => Buffer.from(await r.arrayBuffer()));
  expect((await tile()).equals(overwritten)).toBe(true);
  expect((await tile()).equals(overwritten)).toBe(true);
  const mended = Buffer.from(overwritten);
  mended[mended.length - 20] ^= 0xff;
  await writeFile(file('11/1_0.png'), mended);
  expect((await tile()).equals(mended)).toBe(true);
  await writeFile(file('11/1_0.png'), overwritten); // damaged again for the checks below

  // The archive stops at the missing tile instead of sending a short, valid zip.
  const archive = await fetch(`${api.baseUrl}/v1/tilesets/${tileSetId}/archive`, {
    headers: { authorization: `Bearer ${adminToken}` },
  });
  await expect(archive.arrayBuffer()).rejects.toThrow();
});

it('re-cuts a damaged tile set on request, after which it is intact again; the CLI agrees', async () => {
  const { tileSetId, file } = await readyTileSet(await makePngWithAlpha(900, 450));
  await rm(file('10/0_0.png'));
  const env = { ...api.workerEnv, LOG_LEVEL: 'warn' };

  const before = run(INTEGRITY_CLI, env, { args: ['--tile-set', tileSetId] });
  expect((await before.exited).code).toBe(1);
  expect(before.output()).toContain(`missing  tilesets/${tileSetId}/10/0_0.png`);

  const repaired = await check({ tileSetId, repair: 'recut' });
  expect(repaired.body.repairs).toEqual([{ tileSetId, repair: 'recut', applied: true }]);
  const events = await followEvents(`${api.baseUrl}/v1/tilesets/${tileSetId}/events`, adminToken);
  expect(events.at(-1)?.event).toBe('ready');
  expect((await check({ tileSetId })).body).toMatchObject({ damaged: [] });

  const after = run(INTEGRITY_CLI, env, { args: ['--tile-set', tileSetId] });
  expect((await after.exited).code).toBe(0);
  expect(after.output()).toMatch(/Checked \d+ object\(s\), \d+ bytes: all intact\./);
});

it('fails a damaged tile set on request, so that nothing serves it', async () => {
  const { tileSetId, file } = await readyTileSet(await makeJpeg(700, 350));
  await writeFile(file('9/0_0.png'), Buffer.from('not a tile'));
  const failed = await check({ tileSetId, repair: 'fail' });
  expect(failed.body.repairs).toEqual([{ tileSetId, repair: 'fail', applied: true }]);
  const tileSet = await rawFetch(api.baseUrl, `/v1/tilesets/${tileSetId}`, {
    headers: { authorization: `Bearer ${adminToken}` },
  });
  expect(tileSet.body).toMatchObject({ status: 'failed', errorCode: 'DAMAGED_TILES' });
  const tile = await rawFetch(api.baseUrl, `/v1/tilesets/${tileSetId}/image_files/0/0_0.png`, {
    headers: { authorization: `Bearer ${adminToken}` },
  });
  expectProblem(tile, 409, 'TILE_SET_NOT_READY');
});

it('is for admins only, and names what it cannot find', async () => {
  const user = await api.userClient();
  expectProblem(await check({}, user.accessToken), 403, 'FORBIDDEN');
  expectProblem(await check({ tileSetId: '00000000-0000-4000-8000-000000000000' }), 404, 'TILE_SET_NOT_FOUND');
  expectProblem(await check({ panoramaId: '00000000-0000-4000-8000-000000000000' }), 404, 'PANORAMA_NOT_FOUND');
  expectProblem(await check({ repair: 'delete' }), 400, 'VALIDATION_FAILED');
  expectProblem(
    await check({
      tileSetId: '00000000-0000-4000-8000-000000000000',
      panoramaId: '00000000-0000-4000-8000-000000000001',
    }),
    400,
    'VALIDATION_FAILED',
  );
});
