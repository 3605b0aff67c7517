import sharp from 'sharp';
import { makeJpeg } from '#testing';
import { type ApiHarness, startApi } from './support/api-harness.js';
import { upload } from './support/uploads.js';

/** 360° detection at upload: the photo-sphere XMP, the 2:1 shape, the uploader's word; corrected later. */
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

it('reads the photo-sphere XMP, else the 2:1 shape, and lets the uploader decide', async () => {
  expect(await projectionOf(await makeJpeg(1600, 800))).toBe('equirectangular');
  expect(await projectionOf(await makeJpeg(1601, 800))).toBe('equirectangular'); // odd widths round
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
  const { data } = await owner.client.PATCH('/v1/panoramas/{id}', {
    params: { path: { id } },
    body: { projection: 'flat' },
  });
  expect(data!.projection).toBe('flat');
  const again = await owner.client.GET('/v1/panoramas/{id}', { params: { path: { id } } });
  expect(again.data!.projection).toBe('flat');
});
