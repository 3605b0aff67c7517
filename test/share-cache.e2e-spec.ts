import { type CachingProxy, findNginx, makeJpeg, startCachingProxy } from '#testing';
import { type ApiHarness, expectProblem, rawFetch, startApi } from './support/api-harness.js';
import { followEvents } from './support/tiles.js';
import { upload } from './support/uploads.js';

/**
 * The compose stack's caching proxy (deploy/nginx/tessera.conf.template, in Debian's nginx)
 * in front of the API: share-link answers are kept for SHARE_CACHE_SECONDS and served from
 * the cache, with their strong validators; bearer answers are never kept; a revoked link
 * stops working through the cache once what it kept has aged out, within the bound.
 * Needs nginx (`apt-get install nginx-light`; CI installs it): without it, skipped, and said.
 */
const nginx = findNginx();
if (!nginx) console.warn('share-cache: nginx is not installed (apt-get install nginx-light): skipped');
const CACHE_SECONDS = 2;

let api: ApiHarness;
let proxy: CachingProxy;
let owner: Awaited<ReturnType<ApiHarness['userClient']>>;
let tileSetId: string;

/** A GET through the proxy: status, the cache's verdict, the headers and the bytes. */
async function viaProxy(url: string, headers: Record<string, string> = {}) {
  const response = await fetch(url.replace(api.baseUrl, proxy.url), { headers });
  return {
    status: response.status,
    cache: response.headers.get('x-cache-status'),
    headers: response.headers,
    body: Buffer.from(await response.arrayBuffer()),
  };
}

async function shareTileSet(): Promise<{ id: string; dziUrl: string; iiifUrl: string }> {
  const made = await owner.client.POST('/v1/tilesets/{id}/share', { params: { path: { id: tileSetId } }, body: {} });
  return made.data as { id: string; dziUrl: string; iiifUrl: string };
}

(nginx ? describe : describe.skip)('share links behind the caching proxy', () => {
  beforeAll(async () => {
    api = await startApi({ SHARE_CACHE_SECONDS: String(CACHE_SECONDS), TRUST_PROXY_HOPS: '1' });
    proxy = await startCachingProxy(nginx!, new URL(api.baseUrl).host);
    owner = await api.userClient();
    const uploaded = await upload(owner.client, await makeJpeg(1200, 600), { fields: { presets: 'none' } });
    tileSetId = uploaded.data!.tileSets[0].id;
    const events = await followEvents(`${api.baseUrl}/v1/tilesets/${tileSetId}/events`, owner.accessToken);
    expect(events.at(-1)?.event).toBe('ready');
  });
  afterAll(async () => {
    await proxy?.close();
    await api?.close();
  });

  it('serves share-link tiles and descriptors from the cache, with the same bytes and strong validators', async () => {
    const link = await shareTileSet();
    const tile = link.dziUrl.replace(/image\.dzi$/, 'image_files/0/0_0.jpeg');
    const first = await viaProxy(tile);
    expect(first).toMatchObject({ status: 200, cache: 'MISS' });
    expect(first.headers.get('cache-control')).toBe(`public, max-age=${CACHE_SECONDS}`);
    const etag = first.headers.get('etag')!;
    expect(etag).toMatch(/^"[^"]+"$/); // strong: no W/
    const second = await viaProxy(tile);
    expect(second).toMatchObject({ status: 200, cache: 'HIT' });
    expect(second.body.equals(first.body)).toBe(true);
    expect(second.headers.get('etag')).toBe(etag);
    // Each answer carries its own request's id, not the one of the request that filled the cache.
    expect(second.headers.get('x-request-id')).toMatch(/^[\w.:-]{16,}$/);
    expect(second.headers.get('x-request-id')).not.toBe(first.headers.get('x-request-id'));
    expect((await viaProxy(tile, { 'x-request-id': 'client-chosen-id.1' })).headers.get('x-request-id')).toBe(
      'client-chosen-id.1',
    );
    expect((await viaProxy(tile, { 'if-none-match': etag })).status).toBe(304);

    // The IIIF description in its two media types: two entries (the API says Vary: Accept).
    const info = `${link.iiifUrl}/info.json`;
    const ld = { accept: 'application/ld+json' };
    expect(await viaProxy(info)).toMatchObject({ status: 200, cache: 'MISS' });
    expect(await viaProxy(info, ld)).toMatchObject({ status: 200, cache: 'MISS' });
    const [json, jsonLd] = [await viaProxy(info), await viaProxy(info, ld)];
    expect([json.cache, jsonLd.cache]).toEqual(['HIT', 'HIT']);
    expect(json.headers.get('content-type')).toBe('application/json');
    expect(jsonLd.headers.get('content-type')).toMatch(/^application\/ld\+json;profile=/);
    expect(json.headers.get('etag')).not.toBe(jsonLd.headers.get('etag'));

    // The DZI: a strong ETag from Express too.
    await viaProxy(link.dziUrl);
    const dzi = await viaProxy(link.dziUrl);
    expect(dzi).toMatchObject({ status: 200, cache: 'HIT' });
    expect(dzi.headers.get('etag')).toMatch(/^"[^"]+"$/);
  });

  it('never keeps what needs a bearer token, nor a share request that carries one', async () => {
    const bearer = { authorization: `Bearer ${owner.accessToken}` };
    const path = `${api.baseUrl}/v1/tilesets/${tileSetId}/image_files/0/0_0.jpeg`;
    for (let i = 0; i < 2; i++) {
      const answer = await viaProxy(path, bearer);
      expect(answer.status).toBe(200);
      expect(answer.headers.get('cache-control')).toMatch(/^private/);
      expect(answer.cache).toBeNull(); // not even looked up: outside /v1/s/
    }
    // Without the token, through the proxy: refused, not served from anything kept.
    expect((await viaProxy(path)).status).toBe(401);
    const link = await shareTileSet();
    const withToken = await viaProxy(link.dziUrl, bearer);
    expect(withToken).toMatchObject({ status: 200, cache: 'BYPASS' });
  });

  it('stops a revoked link through the cache once what it kept ages out, within SHARE_CACHE_SECONDS', async () => {
    const link = await shareTileSet();
    const tile = link.dziUrl.replace(/image\.dzi$/, 'image_files/0/0_0.jpeg');
    await viaProxy(tile);
    expect((await viaProxy(tile)).cache).toBe('HIT');
    const revokedAt = Date.now();
    const revoked = await owner.client.DELETE('/v1/tilesets/{id}/shares/{linkId}', {
      params: { path: { id: tileSetId, linkId: link.id } },
    });
    expect(revoked.response.status).toBe(204);
    // The API refuses it at once; the cache may still answer from what it kept.
    expectProblem(await rawFetch(tile, ''), 403, 'SHARE_LINK_REVOKED');
    let answer = await viaProxy(tile);
    while (answer.status === 200) {
      expect(answer.cache).toBe('HIT'); // only ever what was kept before
      await new Promise((resolve) => setTimeout(resolve, 100));
      answer = await viaProxy(tile);
    }
    const stoppedAfter = Date.now() - revokedAt;
    expect(answer.status).toBe(403);
    // Kept CACHE_SECONDS (nginx counts whole seconds: one more), not the link's week: the slack is
    // for a loaded machine's requests, far below what a cache ignoring max-age would keep it.
    expect(stoppedAfter).toBeLessThan((CACHE_SECONDS + 1) * 1000 + 20_000);
    // A refusal is not kept: asked again, asked of the API again.
    const again = await viaProxy(tile);
    expect(again.status).toBe(403);
    expect(again.cache).not.toBe('HIT');
    expect(again.headers.get('access-control-allow-origin')).toBe('*');
  });
});
