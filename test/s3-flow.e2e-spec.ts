import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { loadConfig } from '#config';
import { s3Settings } from '#storage';
import { S3ObjectStorage } from '#storage/s3';
import { makeJpeg, makeNoisyJpeg, startS3Server, type TestS3Server } from '#testing';
import { type ApiHarness, expectProblem, rawFetch, startApi } from './support/api-harness.js';
import { followEvents, sha256Hex } from './support/tiles.js';
import { upload } from './support/uploads.js';

/**
 * The same flow as on local storage, with STORAGE_DRIVER=s3 against a real S3-compatible
 * server (s3rver) on loopback: upload -> tiles -> serve -> delete, and S3 going away while
 * serving and while a tile set is being cut.
 */
let s3: TestS3Server;
let api: ApiHarness;
let bucket: S3ObjectStorage;
let owner: Awaited<ReturnType<ApiHarness['userClient']>>;

beforeAll(async () => {
  s3 = await startS3Server();
  const env = {
    ...s3.env(`tessera-e2e-${randomBytes(3).toString('hex')}`),
    JOB_RETRY_DELAY_SECONDS: '1',
    JOB_RETRY_LIMIT: '5',
    // Every tile from S3, none from the tile cache: the outage tests must meet the outage.
    TILE_CACHE_BYTES: '0',
  };
  api = await startApi(env);
  bucket = new S3ObjectStorage(s3Settings(loadConfig(env)));
  owner = await api.userClient();
});
afterAll(async () => {
  bucket?.close();
  await api?.close();
  await s3?.dispose();
}, 60_000);

/** How many attempts of a tile set's cutting job have failed so far (pg-boss counts them). */
async function failedAttempts(tileSetId: string): Promise<number> {
  const db = new pg.Client({ connectionString: api.db.url });
  await db.connect();
  try {
    const { rows } = await db.query<{ n: number | null }>(
      `select max(retry_count)::int as n from ${api.config.QUEUE_SCHEMA}.job where name = 'tiles.generate' and data->>'tileSetId' = $1`,
      [tileSetId],
    );
    return rows[0].n ?? 0;
  } finally {
    await db.end();
  }
}

const auth = () => ({ authorization: `Bearer ${owner.accessToken}` });
const keys = async (prefix: string) => {
  const found: string[] = [];
  for await (const object of bucket.list(prefix)) found.push(object.key);
  return found;
};

describe('on S3', () => {
  let panoramaId: string;
  let tileSetId: string;
  let jpeg: Buffer;

  it('uploads into the bucket, cuts and serves the pyramid', async () => {
    jpeg = await makeJpeg(1800, 900);
    const uploaded = await upload(owner.client, jpeg);
    expect(uploaded.response.status).toBe(202);
    panoramaId = uploaded.data!.id;
    tileSetId = uploaded.data!.tileSets[0].id;
    expect(await keys(`originals/${owner.id}/`)).toEqual([`originals/${owner.id}/${panoramaId}/original.jpg`]);
    expect((await bucket.stat(`originals/${owner.id}/${panoramaId}/original.jpg`))?.sha256).toBe(sha256Hex(jpeg));

    const events = await followEvents(`${api.baseUrl}/v1/tilesets/${tileSetId}/events`, owner.accessToken);
    expect(events.at(-1)).toMatchObject({ event: 'ready' });
    const manifest = (
      await owner.client.GET('/v1/tilesets/{id}/manifest', {
        params: { path: { id: tileSetId }, query: { tiles: true } },
      })
    ).data!;
    expect((await keys(`tilesets/${tileSetId}/`)).length).toBe(manifest.tileCount + 1);
    for (const tile of manifest.tiles!.slice(0, 20)) {
      const response = await fetch(`${api.baseUrl}/v1/tilesets/${tileSetId}/image_files/${tile.path}`, {
        headers: auth(),
      });
      expect(sha256Hex(Buffer.from(await response.arrayBuffer()))).toBe(tile.sha256);
    }
    const original = await owner.client.GET('/v1/panoramas/{id}/original', {
      params: { path: { id: panoramaId } },
      parseAs: 'arrayBuffer',
    });
    expect(sha256Hex(Buffer.from(original.data as ArrayBuffer))).toBe(sha256Hex(jpeg));
  });

  it('answers 503 while S3 is down, and serves again when it is back', async () => {
    await s3.stop();
    const tile = await rawFetch(api.baseUrl, `/v1/tilesets/${tileSetId}/image_files/0/0_0.jpeg`, { headers: auth() });
    expectProblem(tile, 503, 'STORAGE_UNAVAILABLE');
    expect(tile.headers.get('retry-after')).toBe('5');
    const ready = await rawFetch(api.baseUrl, '/health/ready');
    expect(ready.status).toBe(503);
    expect(ready.body.detail).toContain('storage');
    expect((await rawFetch(api.baseUrl, '/health/live')).status).toBe(200);

    await s3.start();
    expect(
      (await rawFetch(api.baseUrl, `/v1/tilesets/${tileSetId}/image_files/0/0_0.jpeg`, { headers: auth() })).status,
    ).toBe(200);
    expect((await rawFetch(api.baseUrl, '/health/ready')).status).toBe(200);
  });

  it('never marks a tile set ready while S3 is down during cutting; it finishes once S3 is back', async () => {
    const image = await makeNoisyJpeg(4000, 2000);
    const uploaded = await upload(owner.client, image);
    const id = uploaded.data!.tileSets[0].id;
    const status = async () => (await owner.client.GET('/v1/tilesets/{id}', { params: { path: { id } } })).data!.status;
    await s3.stop();
    // Watch the status until an attempt of the cutting job has failed on the outage (the
    // queue counts it): that attempt met S3 down mid-cut, and must not have said ready.
    const seen = new Set<string>();
    while ((await failedAttempts(id)) === 0 && !seen.has('ready')) {
      seen.add(await status());
      await new Promise((r) => setTimeout(r, 50));
    }
    seen.add(await status());
    expect(seen.has('ready')).toBe(false);
    await s3.start();
    const events = await followEvents(`${api.baseUrl}/v1/tilesets/${id}/events`, owner.accessToken, 90_000);
    expect(events.at(-1)).toMatchObject({ event: 'ready' });
    const manifest = (
      await owner.client.GET('/v1/tilesets/{id}/manifest', { params: { path: { id }, query: { tiles: true } } })
    ).data!;
    expect((await keys(`tilesets/${id}/`)).length).toBe(manifest.tileCount + 1);
  }, 120_000);

  it('deletes the panorama with every object it had in the bucket', async () => {
    expect(
      (await owner.client.DELETE('/v1/panoramas/{id}', { params: { path: { id: panoramaId } } })).response.status,
    ).toBe(204);
    expect(await keys(`originals/${owner.id}/${panoramaId}/`)).toEqual([]);
    expect(await keys(`tilesets/${tileSetId}/`)).toEqual([]);
  });
});
