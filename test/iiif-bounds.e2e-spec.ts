import sharp from 'sharp';
import { type ApiHarness, expectProblem, startApi } from './support/api-harness.js';
import { followEvents } from './support/tiles.js';
import { upload } from './support/uploads.js';

/**
 * What one IIIF request may cost is decided before any pixel is read: an API with small
 * limits (answers of at most 500x500 = 250,000 pixels, so at most ~1 MP read), a 4000x1000
 * panorama on the default overlap-1 tile set, reached through a share link as a stranger would.
 */
let api: ApiHarness;
let base: string;
const MAX_AREA = 250_000;
const MAX_SIDE = 1000;

beforeAll(async () => {
  api = await startApi({ IIIF_MAX_AREA: String(MAX_AREA), IIIF_MAX_SIDE: String(MAX_SIDE) });
  const owner = await api.userClient();
  const image = await sharp({ create: { width: 4000, height: 1000, channels: 3, background: '#3a6ea5' } })
    .png()
    .toBuffer();
  const uploaded = await upload(owner.client, image, { fields: { presets: 'none' }, filename: 'long.png' });
  expect(uploaded.response.status).toBe(202);
  const id = uploaded.data!.tileSets[0].id;
  const events = await followEvents(`${api.baseUrl}/v1/tilesets/${id}/events`, owner.accessToken);
  expect(events.at(-1)?.event).toBe('ready');
  const { data } = await owner.client.POST('/v1/tilesets/{id}/share', { params: { path: { id } }, body: {} });
  base = data!.iiifUrl;
});
afterAll(() => api?.close());

async function get(path: string) {
  const response = await fetch(`${base}/${path}`);
  const body = Buffer.from(await response.arrayBuffer());
  const problem = () => ({ status: response.status, headers: response.headers, body: JSON.parse(body.toString()) });
  return { response, body, problem };
}

describe('IIIF work bounded before it starts (share link, no login)', () => {
  it('refuses a size that changes the aspect ratio when it would read the full-size pyramid (400)', async () => {
    // 1 x 1000 needs 1000 rows of detail: the full 4000x1000 level, 16x what 250,000 pixels may read.
    const squeezed = await get('full/1,1000/0/default.png');
    const body = expectProblem(squeezed.problem(), 400, 'INVALID_IIIF_REQUEST');
    expect(body.detail).toMatch(/would read 4000x1000 pixels/);
    // The same answer height with the aspect ratio kept reads a level four times smaller.
    const kept = await get('full/,125/0/default.png');
    expect(kept.response.status).toBe(200);
    expect(await sharp(kept.body).metadata()).toMatchObject({ width: 500, height: 125 });
    // A thin strip of the image at its own detail is a small read: answered.
    const strip = await get('0,0,1,1000/1,1000/0/default.png');
    expect(strip.response.status).toBe(200);
  });

  it('fits max to the limits after rotation, and refuses an explicit size whose turned box is over them', async () => {
    const turned = await get('full/max/45/default.png');
    expect(turned.response.status).toBe(200);
    const { width, height } = await sharp(turned.body).metadata();
    expect(width * height).toBeLessThanOrEqual(MAX_AREA);
    expect(Math.max(width, height)).toBeLessThanOrEqual(MAX_SIDE);
    // 1000x250 fits unturned (250,000 pixels); turned by 45 degrees its box is 884x884.
    expect((await get('full/1000,/0/default.png')).response.status).toBe(200);
    const over = await get('full/1000,/45/default.png');
    expect(expectProblem(over.problem(), 400, 'INVALID_IIIF_REQUEST').detail).toMatch(/turned by 45 degrees/);
  });
});
