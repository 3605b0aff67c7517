import { makeJpeg } from '#testing';
import { type ApiHarness, expectProblem, rawFetch, startApi } from './support/api-harness.js';
import { followEvents } from './support/tiles.js';
import { upload } from './support/uploads.js';

/** /metrics: Prometheus text for its scraper, and for nobody else. */
const TOKEN = 'metrics-token-for-the-e2e-test';
let api: ApiHarness;
beforeAll(async () => {
  api = await startApi({ METRICS_TOKEN: TOKEN });
});
afterAll(() => api?.close());

const scrape = (authorization?: string) =>
  fetch(`${api.baseUrl}/metrics`, { headers: authorization ? { authorization } : {} });

it('does not exist unless METRICS_TOKEN is set', async () => {
  const plain = await startApi();
  try {
    expectProblem(await rawFetch(plain.baseUrl, '/metrics'), 404, 'NOT_FOUND');
    expectProblem(
      await rawFetch(plain.baseUrl, '/metrics', { headers: { authorization: `Bearer ${TOKEN}` } }),
      404,
      'NOT_FOUND',
    );
  } finally {
    await plain.close();
  }
});

it('refuses a scrape without the token, or with another', async () => {
  expect((await scrape()).status).toBe(401);
  expect((await scrape('Bearer not the metrics token')).status).toBe(401);
  const user = await api.userClient();
  expect((await scrape(`Bearer ${user.accessToken}`)).status).toBe(401); // a user's token is not it
});

it('counts requests by operation and status, tiles and the cache, uploads, jobs and queue depth', async () => {
  const user = await api.userClient();
  const image = await makeJpeg(800, 400);
  // No presets: a preset rendered from the ready pyramid looks the tile set up too, and would
  // turn the first tile request's miss into a hit whenever it runs first (a CI flake).
  const uploaded = await upload(user.client, image, { fields: { overlap: 0, presets: 'none' } });
  const tileSetId = uploaded.data!.tileSets[0].id;
  await followEvents(`${api.baseUrl}/v1/tilesets/${tileSetId}/events`, user.accessToken);
  const tile = () =>
    fetch(`${api.baseUrl}/v1/tilesets/${tileSetId}/image_files/0/0_0.jpeg`, {
      headers: { authorization: `Bearer ${user.accessToken}` },
    });
  const first = await tile();
  expect(first.status).toBe(200);
  await tile();
  const etag = first.headers.get('etag')!;
  const revalidated = await fetch(`${api.baseUrl}/v1/tilesets/${tileSetId}/image_files/0/0_0.jpeg`, {
    headers: { authorization: `Bearer ${user.accessToken}`, 'if-none-match': etag },
  });
  expect(revalidated.status).toBe(304);

  const response = await scrape(`Bearer ${TOKEN}`);
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  const text = await response.text();
  const value = (pattern: RegExp) => Number(pattern.exec(text)?.[1] ?? NaN);
  expect(
    value(/tessera_http_request_duration_seconds_count\{operation="getTile",method="GET",status="200"\} (\d+)/),
  ).toBe(2);
  expect(
    value(/tessera_http_request_duration_seconds_count\{operation="getTile",method="GET",status="304"\} (\d+)/),
  ).toBe(1);
  expect(value(/tessera_tiles_served_total\{result="served"\} (\d+)/)).toBe(2);
  expect(value(/tessera_tiles_served_total\{result="not_modified"\} (\d+)/)).toBe(1);
  expect(value(/tessera_tile_cache_lookups_total\{result="hit"\} (\d+)/)).toBe(2);
  expect(value(/tessera_tile_cache_lookups_total\{result="miss"\} (\d+)/)).toBe(1);
  expect(value(/tessera_upload_bytes_total (\d+)/)).toBe(image.length);
  expect(value(/tessera_job_duration_seconds_count\{job="tiles\.generate",outcome="completed"\} (\d+)/)).toBe(1);
  expect(text).toMatch(/tessera_queue_jobs\{job="tiles\.generate",state="queued"\} 0/);
  expect(text).toContain('# HELP tessera_storage_errors_total');
  expect(text).toContain('tessera_process_resident_memory_bytes');
});
