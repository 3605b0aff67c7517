import { makeJpeg } from '#testing';
import { type ApiHarness, bearerCaller, expectProblem, rawFetch, startApi } from './support/api-harness.js';
import { followEvents } from './support/tiles.js';
import { upload } from './support/uploads.js';

/**
 * Sharing a collection: one link gives anyone its page, its panoramas (tile sets and
 * thumbnails under URLs of their own) and its IIIF Collection, from any site, with no
 * account; those URLs open only the collection's members, only while they are members,
 * and all stop with the link. Node's fetch, as a viewer on another site would ask.
 */
let api: ApiHarness;
let owner: Awaited<ReturnType<ApiHarness['userClient']>>;
let other: Awaited<ReturnType<ApiHarness['userClient']>>;
let collectionId: string;
const members: { panoramaId: string; tileSetId: string; thumbId: string; title: string }[] = [];

const call = bearerCaller(
  () => api.baseUrl,
  () => owner.accessToken,
);
/** What a page on another site gets: no credentials, an Origin of its own. */
const anonymous = (url: string, init: RequestInit = {}) =>
  rawFetch(url, '', { ...init, headers: { origin: 'https://blog.example', ...init.headers } });
const path = (url: string) => new URL(url).pathname;
const tokenOf = (url: string) => path(url).split('/')[3];

interface SharedTileSet {
  id: string;
  layout: string;
  status: string;
  pageUrl: string;
  dziUrl: string;
  iiifUrl: string;
  iiifManifestUrl: string;
  manifestUrl: string;
}
interface SharedPanorama {
  id: string;
  title: string;
  pageUrl: string | null;
  thumbnailUrl: string | null;
  tileSets: SharedTileSet[];
}
interface SharedCollection {
  name: string;
  description: string | null;
  items: SharedPanorama[];
  nextCursor: string | null;
  iiifCollectionUrl: string;
  pageUrl: string;
  expiresAt: string;
}
interface CollectionLink {
  id: string;
  label: string | null;
  url: string;
  pageUrl: string;
  iiifCollectionUrl: string;
  expiresAt: string;
}

async function share(id = collectionId, json: Record<string, unknown> = {}): Promise<CollectionLink> {
  const made = await call(`/v1/collections/${id}/share`, { method: 'POST', json });
  expect(made.status).toBe(200);
  return made.body as unknown as CollectionLink;
}

async function sharedCollection(link: CollectionLink, query = ''): Promise<SharedCollection> {
  const seen = await anonymous(`${link.url}${query}`);
  expect(seen.status).toBe(200);
  return seen.body as unknown as SharedCollection;
}

const memberOf = (collection: SharedCollection, panoramaId: string) =>
  collection.items.find((p) => p.id === panoramaId)!;

beforeAll(async () => {
  api = await startApi({ RENDITION_PRESETS: 'thumb:320:webp' });
  owner = await api.userClient();
  other = await api.userClient();
  const made = await call('/v1/collections', {
    method: 'POST',
    json: { name: '<b>Harbours & coasts</b>', description: 'Seen from the water' },
  });
  collectionId = made.body.id as string;
  for (const [i, title] of ['North pier', 'South pier', 'Lighthouse'].entries()) {
    const uploaded = await upload(owner.client, await makeJpeg(900 + i * 100, 450), {
      fields: { title, presets: 'thumb', collectionId },
    });
    expect(uploaded.response.status).toBe(202);
    const [tileSet] = uploaded.data!.tileSets;
    const [thumb] = uploaded.data!.renditions;
    members.push({ panoramaId: uploaded.data!.id, tileSetId: tileSet.id, thumbId: thumb.id, title });
    for (const url of [`/v1/tilesets/${tileSet.id}/events`, `/v1/renditions/${thumb.id}/events`]) {
      expect((await followEvents(`${api.baseUrl}${url}`, owner.accessToken)).at(-1)?.event).toBe('ready');
    }
  }
});
afterAll(() => api?.close());

it("shows anyone, from any site, the collection and each panorama's tiles, viewer and thumbnail", async () => {
  const link = await share(collectionId, { label: 'For the harbour office', ttlSeconds: 86_400 });
  expect(link).toMatchObject({ label: 'For the harbour office' });
  expect(path(link.url)).toMatch(new RegExp(`^/v1/s/[^/]+/collections/${collectionId}$`));
  expect(link.pageUrl).toBe(link.url.replace('/v1/s/', '/s/'));

  const seen = await anonymous(link.url);
  expect(seen.headers.get('access-control-allow-origin')).toBe('*');
  expect(seen.headers.get('cache-control')).toBe('private, no-cache');
  const collection = seen.body as unknown as SharedCollection;
  expect(collection).toMatchObject({
    name: '<b>Harbours & coasts</b>',
    description: 'Seen from the water',
    expiresAt: link.expiresAt,
    iiifCollectionUrl: link.iiifCollectionUrl,
    nextCursor: null,
  });
  // Newest first, as the owner's listing.
  expect(collection.items.map((p) => p.title)).toEqual(['Lighthouse', 'South pier', 'North pier']);

  for (const member of members) {
    const panorama = memberOf(collection, member.panoramaId);
    const [tileSet] = panorama.tileSets;
    expect(tileSet).toMatchObject({ id: member.tileSetId, status: 'ready', layout: 'deepzoom' });
    expect(panorama.pageUrl).toBe(tileSet.pageUrl);
    // Each member has a token of its own: it names the link and the collection.
    expect(tokenOf(tileSet.dziUrl)).not.toBe(tokenOf(link.url));
    expect(tokenOf(tileSet.dziUrl).split('.')).toHaveLength(6);

    const dzi = await anonymous(tileSet.dziUrl);
    expect(dzi.status).toBe(200);
    expect(dzi.body as unknown as string).toContain('<Image');
    const tile = await fetch(tileSet.dziUrl.replace(/image\.dzi$/, 'image_files/0/0_0.jpeg'));
    expect(tile.status).toBe(200);
    expect(Buffer.from(await tile.arrayBuffer()).subarray(0, 3)).toEqual(Buffer.from([0xff, 0xd8, 0xff]));
    const info = await anonymous(`${tileSet.iiifUrl}/info.json`);
    expect(info.body).toMatchObject({ width: 900 + members.indexOf(member) * 100, height: 450 });
    const manifest = await anonymous(tileSet.iiifManifestUrl);
    expect(manifest.body).toMatchObject({ type: 'Manifest', label: { none: [member.title] } });
    const thumb = await fetch(panorama.thumbnailUrl!);
    expect(thumb.status).toBe(200);
    expect(thumb.headers.get('content-type')).toBe('image/webp');
    expect(path(panorama.thumbnailUrl!)).toMatch(new RegExp(`/renditions/${member.thumbId}/file$`));
  }

  const page = await fetch(link.pageUrl);
  expect(page.status).toBe(200);
  expect(page.headers.get('content-type')).toMatch(/^text\/html/);
  expect(page.headers.get('content-security-policy')).toContain('frame-ancestors *');

  // Paged like the owner's listing, with its filters.
  const first = await sharedCollection(link, '?limit=2');
  expect(first.items).toHaveLength(2);
  const rest = await sharedCollection(link, `?limit=2&cursor=${encodeURIComponent(first.nextCursor!)}`);
  expect(rest.items.map((p) => p.title)).toEqual(['North pier']);
  expect((await sharedCollection(link, '?title=pier')).items).toHaveLength(2);

  // Listed for its owner, its use through the members' URLs noted.
  const listed = await call(`/v1/collections/${collectionId}/shares`);
  expect(listed.body.items).toEqual([expect.objectContaining({ id: link.id, url: link.url, pageUrl: link.pageUrl })]);
  expect((listed.body.items as { lastUsedAt: string | null }[])[0].lastUsedAt).not.toBeNull();
});

it('describes the collection as a IIIF Collection of its manifests, each usable with no account', async () => {
  const link = await share();
  const seen = await anonymous(link.iiifCollectionUrl, { headers: { accept: 'application/ld+json' } });
  expect(seen.status).toBe(200);
  expect(seen.headers.get('content-type')).toMatch(/^application\/ld\+json/);
  const collection = seen.body as {
    type: string;
    id: string;
    label: Record<string, string[]>;
    items: { id: string; type: string; label: Record<string, string[]>; thumbnail: { id: string }[] }[];
  };
  expect(collection).toMatchObject({
    '@context': 'http://iiif.io/api/presentation/3/context.json',
    type: 'Collection',
    id: `${link.iiifCollectionUrl}?limit=20`,
  });
  // A name that looks like HTML is shown as typed, not as markup.
  expect(collection.label).toEqual({ none: ['<span>&lt;b&gt;Harbours &amp; coasts&lt;/b&gt;</span>'] });
  expect(collection.items.map((item) => [item.type, item.label.none[0]])).toEqual([
    ['Manifest', 'Lighthouse'],
    ['Manifest', 'South pier'],
    ['Manifest', 'North pier'],
  ]);
  for (const item of collection.items) {
    const manifest = await anonymous(item.id);
    expect(manifest.status).toBe(200);
    const service = JSON.stringify(manifest.body).match(/"id":"([^"]+\/iiif)","type":"ImageService3"/)![1];
    expect((await anonymous(`${service}/info.json`)).status).toBe(200);
    expect((await fetch(item.thumbnail[0].id)).status).toBe(200);
  }
  const paged = await anonymous(`${link.iiifCollectionUrl}?limit=2`);
  const next = (paged.body.items as { id: string; type: string }[]).at(-1)!;
  expect(next.type).toBe('Collection');
  expect((await anonymous(next.id)).body.items).toHaveLength(1);
});

it("opens only the collection's members, each through its own URL, and refuses every swap", async () => {
  const link = await share();
  const collection = await sharedCollection(link);
  const [a, b] = members.map((m) => memberOf(collection, m.panoramaId).tileSets[0]);
  const memberToken = tokenOf(a.dziUrl);
  const collectionToken = tokenOf(link.url);
  const refused = async (url: string) => expectProblem(await anonymous(url), 403, 'SHARE_LINK_INVALID');

  // A's URL for B's tile set, the collection's token on a tile set, a member's on the collection.
  await refused(`${api.baseUrl}/v1/s/${memberToken}/tilesets/${b.id}/image.dzi`);
  await refused(`${api.baseUrl}/v1/s/${memberToken}/tilesets/${b.id}/image_files/0/0_0.jpeg`);
  await refused(`${api.baseUrl}/v1/s/${collectionToken}/tilesets/${a.id}/image.dzi`);
  await refused(`${api.baseUrl}/v1/s/${memberToken}/collections/${collectionId}`);
  // Another collection of the owner's named in A's token.
  const otherCollection = (await call('/v1/collections', { method: 'POST', json: { name: 'Other' } })).body
    .id as string;
  const parts = memberToken.split('.');
  parts[4] = Buffer.from(otherCollection.replaceAll('-', ''), 'hex').toString('base64url');
  await refused(`${api.baseUrl}/v1/s/${parts.join('.')}/tilesets/${a.id}/image.dzi`);
  // Without the collection: the link's signature is not a tile set's.
  await refused(`${api.baseUrl}/v1/s/${[...parts.slice(0, 4), parts[5]].join('.')}/tilesets/${a.id}/image.dzi`);

  // A panorama of the owner's outside the collection is not in it, whatever the path says.
  const outside = await upload(owner.client, await makeJpeg(300, 200), {
    fields: { title: 'Private', presets: 'none' },
  });
  await refused(`${api.baseUrl}/v1/s/${memberToken}/tilesets/${outside.data!.tileSets[0].id}/image.dzi`);
  expect((await sharedCollection(link)).items.map((p) => p.title)).not.toContain('Private');
});

it('stops opening a panorama taken out of the collection at once, and opens it again once put back', async () => {
  const link = await share();
  const [a, b] = members;
  const before = memberOf(await sharedCollection(link), a.panoramaId);
  const tile = before.tileSets[0].dziUrl.replace(/image\.dzi$/, 'image_files/0/0_0.jpeg');
  // 20 requests released at once, before and after: the membership is read, not guessed.
  const all = async (url: string) => Promise.all(Array.from({ length: 20 }, () => fetch(url)));
  expect((await all(tile)).map((r) => r.status)).toEqual(Array(20).fill(200));

  expect((await call(`/v1/collections/${collectionId}/panoramas/${a.panoramaId}`, { method: 'DELETE' })).status).toBe(
    204,
  );
  for (const url of [before.tileSets[0].dziUrl, tile, before.thumbnailUrl!, before.tileSets[0].iiifManifestUrl]) {
    expectProblem(await anonymous(url), 403, 'SHARE_LINK_REVOKED');
  }
  expect((await all(tile)).map((r) => r.status)).toEqual(Array(20).fill(403));
  const after = await sharedCollection(link);
  expect(after.items.map((p) => p.id)).not.toContain(a.panoramaId);
  expect((await fetch(memberOf(after, b.panoramaId).tileSets[0].dziUrl)).status).toBe(200);

  const added = await call(`/v1/collections/${collectionId}/panoramas`, {
    method: 'POST',
    json: { panoramaIds: [a.panoramaId] },
  });
  expect(added.status).toBe(204);
  expect((await all(tile)).map((r) => r.status)).toEqual(Array(20).fill(200));
});

it('ends everything a link handed out when it is revoked, and leaves the other links working', async () => {
  const kept = await share(collectionId, { label: 'kept' });
  const ended = await share(collectionId, { label: 'ended' });
  const urls = (collection: SharedCollection) =>
    collection.items.flatMap((p) => [p.tileSets[0].dziUrl, p.tileSets[0].iiifManifestUrl, p.thumbnailUrl!]);
  const endedUrls = [ended.url, ended.iiifCollectionUrl, ...urls(await sharedCollection(ended))];
  const keptUrls = [kept.url, kept.iiifCollectionUrl, ...urls(await sharedCollection(kept))];

  expect((await call(`/v1/collections/${collectionId}/shares/${ended.id}`, { method: 'DELETE' })).status).toBe(204);
  for (const url of endedUrls) expectProblem(await anonymous(url), 403, 'SHARE_LINK_REVOKED');
  for (const url of keptUrls) expect((await anonymous(url)).status).toBe(200);
  const listed = await call(`/v1/collections/${collectionId}/shares`);
  expect((listed.body.items as CollectionLink[]).map((l) => l.id)).toContain(kept.id);
  expect((listed.body.items as CollectionLink[]).map((l) => l.id)).not.toContain(ended.id);

  // Revoking them all: every link of the collection, listed one by one; a new one works.
  expect((await call(`/v1/collections/${collectionId}/share`, { method: 'DELETE' })).status).toBe(204);
  for (const url of keptUrls) expectProblem(await anonymous(url), 403, 'SHARE_LINK_REVOKED');
  expect((await call(`/v1/collections/${collectionId}/shares`)).body.items).toEqual([]);
  expect((await anonymous((await share()).url)).status).toBe(200);
});

it("keeps others out: another user's collection cannot be shared or its links seen, and links are always listed", async () => {
  const asOther = { token: other.accessToken };
  expectProblem(
    await call(`/v1/collections/${collectionId}/share`, { method: 'POST', json: {}, ...asOther }),
    404,
    'COLLECTION_NOT_FOUND',
  );
  expectProblem(await call(`/v1/collections/${collectionId}/shares`, asOther), 404, 'COLLECTION_NOT_FOUND');
  expectProblem(
    await call(`/v1/collections/${collectionId}/share`, { method: 'DELETE', ...asOther }),
    404,
    'COLLECTION_NOT_FOUND',
  );
  // An unlisted link could not be revoked on its own, nor its members' URLs with it.
  expectProblem(
    await call(`/v1/collections/${collectionId}/share`, { method: 'POST', json: { listed: false } }),
    400,
    'VALIDATION_FAILED',
  );
  // A label on two lines, a lifetime past the cap: as for tile sets.
  expectProblem(
    await call(`/v1/collections/${collectionId}/share`, { method: 'POST', json: { label: 'a\nb' } }),
    400,
    'VALIDATION_FAILED',
  );
});

it('answers 404 for a deleted collection, and its members no longer open', async () => {
  const made = (await call('/v1/collections', { method: 'POST', json: { name: 'Short-lived' } })).body.id as string;
  expect(
    (
      await call(`/v1/collections/${made}/panoramas`, {
        method: 'POST',
        json: { panoramaIds: [members[1].panoramaId] },
      })
    ).status,
  ).toBe(204);
  const link = await share(made);
  const dzi = (await sharedCollection(link)).items[0].tileSets[0].dziUrl;
  expect((await anonymous(dzi)).status).toBe(200);

  expect((await call(`/v1/collections/${made}`, { method: 'DELETE' })).status).toBe(204);
  expectProblem(await anonymous(link.url), 404, 'COLLECTION_NOT_FOUND');
  expectProblem(await anonymous(dzi), 403, 'SHARE_LINK_REVOKED');
  // The panorama itself is untouched.
  expect((await call(`/v1/panoramas/${members[1].panoramaId}`)).status).toBe(200);
});
