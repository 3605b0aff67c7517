import { makeJpeg } from '#testing';
import { type ApiHarness, expectProblem, fromClient, rawFetch, startApi } from './support/api-harness.js';
import { followEvents } from './support/tiles.js';
import { upload } from './support/uploads.js';

/**
 * IIIF Presentation API 3.0: a Manifest per panorama for its owner, the same under a share
 * link (naming only the link's URLs, so it works with no account), and a Collection of the
 * owner's panoramas, paged.
 */
let api: ApiHarness;
let owner: Awaited<ReturnType<ApiHarness['userClient']>>;
let panoramaId: string;
let tileSetId: string;
let thumbId: string;

type Json = Record<string, unknown> & { id: string; type: string };
const bearer = () => ({ authorization: `Bearer ${owner.accessToken}` });

/** Every `id` in a resource (the URLs a viewer would follow). */
function idsIn(value: unknown, found: string[] = []): string[] {
  if (Array.isArray(value)) for (const item of value) idsIn(item, found);
  else if (value && typeof value === 'object') {
    for (const [key, inner] of Object.entries(value)) {
      if (key === 'id' && typeof inner === 'string') found.push(inner);
      else idsIn(inner, found);
    }
  }
  return found;
}

beforeAll(async () => {
  api = await startApi({ RENDITION_PRESETS: 'thumb:320:webp' });
  owner = await api.userClient();
  const uploaded = await upload(owner.client, await makeJpeg(1200, 600), {
    fields: { title: 'Harbour at dawn', presets: 'thumb' },
  });
  expect(uploaded.response.status).toBe(202);
  panoramaId = uploaded.data!.id;
  tileSetId = uploaded.data!.tileSets[0].id;
  thumbId = uploaded.data!.renditions[0].id;
  expect((await followEvents(`${api.baseUrl}/v1/tilesets/${tileSetId}/events`, owner.accessToken)).at(-1)?.event).toBe(
    'ready',
  );
  expect((await followEvents(`${api.baseUrl}/v1/renditions/${thumbId}/events`, owner.accessToken)).at(-1)?.event).toBe(
    'ready',
  );
  await owner.client.PATCH('/v1/panoramas/{id}', {
    params: { path: { id: panoramaId } },
    body: { description: 'Fishing boats leaving, <b>not</b> markup' },
  });
});
afterAll(() => api?.close());

it("describes a panorama for its owner: one canvas with the tile set's image service, the thumb preset, the DZI", async () => {
  const { status, headers, body } = await rawFetch(api.baseUrl, `/v1/panoramas/${panoramaId}/iiif-manifest`, {
    headers: bearer(),
  });
  expect(status).toBe(200);
  expect(headers.get('content-type')).toMatch(/^application\/json/);
  const manifest = body as Json;
  const service = `${api.baseUrl}/v1/tilesets/${tileSetId}/iiif`;
  expect(manifest).toMatchObject({
    '@context': 'http://iiif.io/api/presentation/3/context.json',
    id: `${api.baseUrl}/v1/panoramas/${panoramaId}/iiif-manifest`,
    type: 'Manifest',
    label: { none: ['Harbour at dawn'] },
    summary: { none: ['Fishing boats leaving, <b>not</b> markup'] },
    thumbnail: [
      {
        id: `${api.baseUrl}/v1/renditions/${thumbId}/file`,
        type: 'Image',
        format: 'image/webp',
        width: 320,
        height: 160,
      },
    ],
    seeAlso: [{ id: `${api.baseUrl}/v1/tilesets/${tileSetId}/image.dzi`, type: 'Dataset' }],
    items: [
      {
        type: 'Canvas',
        width: 1200,
        height: 600,
        items: [
          {
            type: 'AnnotationPage',
            items: [
              {
                type: 'Annotation',
                motivation: 'painting',
                body: {
                  id: `${service}/full/max/0/default.jpg`,
                  type: 'Image',
                  width: 1200,
                  height: 600,
                  service: [{ id: service, type: 'ImageService3', profile: 'level2' }],
                },
              },
            ],
          },
        ],
      },
    ],
  });
  const canvas = (manifest.items as Json[])[0];
  const annotation = ((canvas.items as Json[])[0].items as Json[])[0];
  expect(annotation.target).toBe(canvas.id);
  // As JSON-LD, with the context as profile, when asked.
  const jsonLd = await rawFetch(api.baseUrl, `/v1/panoramas/${panoramaId}/iiif-manifest`, {
    headers: { ...bearer(), accept: 'application/ld+json' },
  });
  expect(jsonLd.headers.get('content-type')).toBe(
    'application/ld+json;profile="http://iiif.io/api/presentation/3/context.json"',
  );
  // Someone else's: as if it did not exist.
  const other = await api.userClient();
  const theirs = await other.client.GET('/v1/panoramas/{id}/iiif-manifest', { params: { path: { id: panoramaId } } });
  expectProblem(fromClient(theirs), 404, 'PANORAMA_NOT_FOUND');
});

it('describes it under a share link with only the link’s URLs, every one of which answers without an account', async () => {
  const shared = await owner.client.POST('/v1/tilesets/{id}/share', { params: { path: { id: tileSetId } }, body: {} });
  const url = shared.data!.iiifManifestUrl;
  const base = url.replace(/\/iiif-manifest$/, '');
  expect(base).toMatch(new RegExp(`/v1/s/[^/]+/tilesets/${tileSetId}$`));
  const response = await fetch(url);
  expect(response.status).toBe(200);
  expect(response.headers.get('access-control-allow-origin')).toBe('*');
  const manifest = (await response.json()) as Json;
  expect(manifest.id).toBe(url);
  const publicPage = base.replace('/v1/s/', '/s/');
  const followed = idsIn(manifest).filter((id) => !id.includes('/canvas/'));
  expect(followed.length).toBeGreaterThanOrEqual(5);
  for (const id of followed) {
    expect(id.startsWith(base) || id === publicPage).toBe(true);
    const answer = await fetch(id.endsWith('/iiif') ? `${id}/info.json` : id);
    expect([id, answer.status]).toEqual([id, 200]);
  }
});

it('lists the owner’s panoramas as a Collection of manifests, page by page', async () => {
  const second = await upload(owner.client, await makeJpeg(800, 400), { fields: { title: 'Second', presets: 'none' } });
  expect(second.response.status).toBe(202);
  const first = await rawFetch(api.baseUrl, '/v1/iiif/collection?limit=1', { headers: bearer() });
  expect(first.status).toBe(200);
  const page = first.body as Json & { items: Json[] };
  expect(page).toMatchObject({ type: 'Collection', label: { en: ['Your panoramas'] } });
  expect(page.items).toEqual([
    {
      id: `${api.baseUrl}/v1/panoramas/${second.data!.id}/iiif-manifest`,
      type: 'Manifest',
      label: { none: ['Second'] },
    },
    {
      id: expect.stringMatching(/\/v1\/iiif\/collection\?limit=1&cursor=/),
      type: 'Collection',
      label: expect.anything(),
    },
  ]);
  const next = await rawFetch(api.baseUrl, new URL(page.items[1].id).pathname + new URL(page.items[1].id).search, {
    headers: bearer(),
  });
  expect((next.body as { items: Json[] }).items).toEqual([
    {
      id: `${api.baseUrl}/v1/panoramas/${panoramaId}/iiif-manifest`,
      type: 'Manifest',
      label: { none: ['Harbour at dawn'] },
    },
  ]);
});
