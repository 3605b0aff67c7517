import { flatJpeg } from '#testing';
import { expectedTileCount } from '#tiles';
import { type ApiHarness, startApi } from './support/api-harness.js';
import { followEvents } from './support/tiles.js';
import { upload } from './support/uploads.js';

/**
 * SECURITY.md item 5: a legitimate 450-megapixel panorama is accepted and tiled (sharp's
 * default pixel limit, about 268 MP, would refuse it: the limits are set explicitly).
 */
let api: ApiHarness;
let panorama: Buffer;
const [WIDTH, HEIGHT] = [30_000, 15_000];

beforeAll(async () => {
  api = await startApi(); // IMAGE_MAX_PIXELS at its default, 1e9
  // A flat colour, made without encoding 450 MP (see flatJpeg): the pixels are what the
  // limits are about.
  panorama = await flatJpeg(WIDTH, HEIGHT, { r: 40, g: 90, b: 160 });
}, 120_000);
afterAll(() => api?.close());

it('accepts a 450 MP JPEG and cuts its whole pyramid', async () => {
  const user = await api.userClient();
  const uploaded = await upload(user.client, panorama, { filename: 'wide.jpg' });
  expect(uploaded.response.status).toBe(202);
  expect(uploaded.data).toMatchObject({ width: WIDTH, height: HEIGHT });
  const tileSet = uploaded.data!.tileSets[0];
  // Tiling 450 MP takes 30-90 s here, depending on what the other test workers are doing.
  const events = await followEvents(`${api.baseUrl}/v1/tilesets/${tileSet.id}/events`, user.accessToken, 200_000);
  expect(events.at(-1)).toMatchObject({
    event: 'ready',
    data: { tileCount: expectedTileCount({ width: WIDTH, height: HEIGHT, tileSize: 256, overlap: 1 }) },
  });
}, 240_000);
