import sharp from 'sharp';
import { makeJpeg } from '#testing';
import { type ApiHarness, startApi } from './support/api-harness.js';
import { followEvents } from './support/tiles.js';
import { upload } from './support/uploads.js';

/** 360° detection at upload: the photo-sphere XMP or the uploader's word (never the 2:1 shape alone); corrected later. */
let api: ApiHarness;
let owner: Awaited<ReturnType<ApiHarness['userClient']>>;
beforeAll(async () => {
  api = await startApi({ RENDITION_PRESETS: 'none' });
  owner = await api.userClient();
});
afterAll(() => api?.close());

const photoSphere = (projection: string) =>
  `<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?><x:xmpmeta xmlns:x="adobe:ns:meta/">` +
  `<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description rdf:about="" ` +
  `xmlns:GPano="http://ns.google.com/photos/1.0/panorama/" GPano:ProjectionType="${projection}" ` +
  `GPano:UsePanoramaViewer="True"/></rdf:RDF></x:xmpmeta><?xpacket end="w"?>`;

async function projectionOf(image: Buffer, fields: Record<string, string> = {}) {
  const uploaded = await upload(owner.client, image, { fields });
  expect(uploaded.response.status).toBe(202);
  return uploaded.data!.projection;
}

it('reads the photo-sphere XMP and lets the uploader decide; the 2:1 shape alone stays flat', async () => {
  expect(await projectionOf(await makeJpeg(1600, 800))).toBe('flat');
  expect(await projectionOf(await makeJpeg(1500, 800))).toBe('flat');
  const tagged = await sharp(await makeJpeg(1400, 900))
    .withXmp(photoSphere('equirectangular'))
    .jpeg()
    .toBuffer();
  expect(await projectionOf(tagged)).toBe('equirectangular');
  const taggedFlat = await sharp(await makeJpeg(1800, 900))
    .withXmp(photoSphere('cylindrical'))
    .jpeg()
    .toBuffer();
  expect(await projectionOf(taggedFlat)).toBe('flat');
  expect(await projectionOf(await makeJpeg(1200, 600, 80), { projection: 'flat' })).toBe('flat');
  expect(await projectionOf(await makeJpeg(1300, 700), { projection: 'equirectangular' })).toBe('equirectangular');
});

it('refuses an unknown projection, and lets the owner correct it', async () => {
  const refused = await upload(owner.client, await makeJpeg(640, 320), { fields: { projection: 'cubemap' } });
  expect(refused.response.status).toBe(400);
  const uploaded = await upload(owner.client, await makeJpeg(700, 350));
  const id = uploaded.data!.id;
  expect(uploaded.data!.tileSets.map((t) => t.layout)).toEqual(['deepzoom']);
  const { data } = await owner.client.PATCH('/v1/panoramas/{id}', {
    params: { path: { id } },
    body: { projection: 'equirectangular' },
  });
  // Now a sphere: the tile set 360° viewers read is queued too.
  expect(data!.projection).toBe('equirectangular');
  expect(data!.tileSets.map((t) => t.layout).sort()).toEqual(['deepzoom', 'sphere']);
  const again = await owner.client.GET('/v1/panoramas/{id}', { params: { path: { id } } });
  expect(again.data!.projection).toBe('equirectangular');
});

it('says so when the same bytes come again asking for another projection, and how to change it', async () => {
  const image = await makeJpeg(900, 450, 81);
  const first = await upload(owner.client, image);
  expect([first.response.status, first.data!.projection, first.data!.notice]).toEqual([202, 'flat', undefined]);
  const id = first.data!.id;

  const again = await upload(owner.client, image, { fields: { projection: 'equirectangular' } });
  expect([again.response.status, again.data!.id, again.data!.projection]).toEqual([200, id, 'flat']);
  expect(again.data!.notice).toBe(
    'You had already uploaded this image: this is that panorama, still flat. To show it as a 360° sphere: ' +
      `PATCH /v1/panoramas/${id} with {"projection":"equirectangular"}.`,
  );
  // Asking for what it already is, or for nothing: no notice.
  for (const fields of [{ projection: 'flat' }, {}] as Record<string, string>[]) {
    const same = await upload(owner.client, image, { fields });
    expect([same.response.status, same.data!.notice]).toEqual([200, undefined]);
  }
});

describe('the sphere tile set of a 360° panorama', () => {
  it('is cut to whole square tiles, two columns per row, and described for Photo Sphere Viewer', async () => {
    // 3000x1500: left half red, right half blue. Scaled to 2048x1024 for the sphere.
    const [w, h] = [3000, 1500];
    const pixels = Buffer.alloc(w * h * 3);
    for (let i = 0; i < w * h; i++) pixels[i * 3 + (i % w < w / 2 ? 0 : 2)] = 230;
    const image = await sharp(pixels, { raw: { width: w, height: h, channels: 3 } })
      .png()
      .toBuffer();
    const uploaded = await upload(owner.client, image, {
      fields: { tileFormat: 'png', projection: 'equirectangular' },
    });
    expect(uploaded.data!.projection).toBe('equirectangular');
    const [flat, sphere] = uploaded.data!.tileSets;
    expect([flat.layout, sphere.layout, sphere.tileSize, sphere.overlap]).toEqual(['deepzoom', 'sphere', 512, 0]);
    for (const id of [flat.id, sphere.id])
      expect((await followEvents(`${api.baseUrl}/v1/tilesets/${id}/events`, owner.accessToken)).at(-1)?.event).toBe(
        'ready',
      );

    const { data } = await owner.client.GET('/v1/tilesets/{id}/sphere', { params: { path: { id: sphere.id } } });
    expect(data!.levels).toEqual([
      { width: 1024, cols: 2, rows: 1, level: 10 },
      { width: 2048, cols: 4, rows: 2, level: 11 },
    ]);
    const auth = { authorization: `Bearer ${owner.accessToken}` };
    const tileUrl = (level: number, col: number, row: number) =>
      `${api.baseUrl}${data!.tileUrlTemplate.replace('{level}', String(level)).replace('{col}', String(col)).replace('{row}', String(row))}`;
    for (const [col, row, channel] of [
      [0, 1, 0],
      [3, 0, 2],
    ] as const) {
      const tile = Buffer.from(await (await fetch(tileUrl(11, col, row), { headers: auth })).arrayBuffer());
      const { data: px, info } = await sharp(tile).raw().toBuffer({ resolveWithObject: true });
      expect([info.width, info.height]).toEqual([512, 512]);
      expect(px[(256 * 512 + 256) * info.channels + channel]).toBeGreaterThan(200);
    }
    const base = await fetch(`${api.baseUrl}${data!.baseUrl}`, { headers: auth });
    expect(base.status).toBe(200);
    expect((await sharp(Buffer.from(await base.arrayBuffer())).metadata()).width).toBe(2048);

    const notSphere = await owner.client.GET('/v1/tilesets/{id}/sphere', { params: { path: { id: flat.id } } });
    expect(notSphere.response.status).toBe(409);
    expect(notSphere.error).toMatchObject({ code: 'NOT_A_SPHERE' });
  });
});
