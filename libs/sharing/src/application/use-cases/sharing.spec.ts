import type { CollectionsUseCase } from '#collections';
import type { RenditionSharesUseCase } from '#renditions';
import type { Actor, ShareGrant } from '#shared-kernel';
import { FixedClock, InMemoryChangeFeed, InMemoryShareLinkRepository } from '#testing';
import type { TileSetSharesUseCase } from '#tiles';
import { RevokedShareLinks } from '../revoked-share-links.service.js';
import { ShareLinkUse } from '../share-link-use.service.js';
import { ShareLinksUseCase } from './share-links.use-case.js';

const owner: Actor = { userId: 'u1', role: 'user' };
const TILE_SET = 'ts1';

function setUp(maxActiveLinks = 3) {
  const clock = new FixedClock(new Date('2026-12-06T00:00:00.000Z'));
  const links = new InMemoryShareLinkRepository();
  const feed = new InMemoryChangeFeed();
  const revoked = new RevokedShareLinks(links, feed, clock);
  const use = new ShareLinkUse(links, clock);
  const epochs = new Map<string, number>([[TILE_SET, 0]]);
  const tileSets = {
    grant: (actor: Actor, id: string): Promise<ShareGrant> =>
      actor.userId === owner.userId && epochs.has(id)
        ? Promise.resolve({ share: 'tileset', id, epoch: epochs.get(id)! })
        : Promise.reject(new Error('TILE_SET_NOT_FOUND')),
    revokeAll: (_: Actor, id: string) => Promise.resolve(void epochs.set(id, epochs.get(id)! + 1)),
  } as unknown as TileSetSharesUseCase;
  const sharing = new ShareLinksUseCase(
    tileSets,
    {} as RenditionSharesUseCase,
    {} as CollectionsUseCase,
    links,
    revoked,
    use,
    { defaultTtlSeconds: 3600, maxTtlSeconds: 7200, maxActiveLinks },
    clock,
  );
  return { clock, links, feed, revoked, use, epochs, sharing };
}

describe('ShareLinksUseCase', () => {
  it('stores a listed link with its label, key and epoch, and nothing for an unlisted one', async () => {
    const { sharing, links, clock } = setUp();
    const made = await sharing.create(owner, 'tileset', TILE_SET, {
      label: '  Anna  ',
      ttlSeconds: 10 ** 6,
      keyId: 'k1',
    });
    expect(made.link).toMatchObject({ label: 'Anna', keyId: 'k1', epoch: 0, createdBy: 'u1', resourceId: TILE_SET });
    expect(made.grant).toEqual({ share: 'tileset', id: TILE_SET, epoch: 0, link: made.link!.id });
    expect(made.expiresAt.getTime() - clock.now().getTime()).toBe(7200_000); // capped
    const unlisted = await sharing.create(owner, 'tileset', TILE_SET, { listed: false, label: 'x', keyId: 'k1' });
    expect(unlisted).toMatchObject({ link: null, grant: { share: 'tileset', id: TILE_SET, epoch: 0 } });
    expect(unlisted.grant.link).toBeUndefined();
    expect(links.rows.size).toBe(1);
    expect((await sharing.create(owner, 'tileset', TILE_SET, { label: '   ', keyId: 'k1' })).link!.label).toBeNull();
  });

  it('refuses a link past the limit, and counts only active ones', async () => {
    const { sharing, clock } = setUp(2);
    const first = await sharing.create(owner, 'tileset', TILE_SET, { ttlSeconds: 60, keyId: 'k1' });
    await sharing.create(owner, 'tileset', TILE_SET, { keyId: 'k1' });
    await expect(sharing.create(owner, 'tileset', TILE_SET, { keyId: 'k1' })).rejects.toMatchObject({
      code: 'SHARE_LINK_LIMIT_REACHED',
      details: { limit: 2 },
    });
    await expect(sharing.create(owner, 'tileset', TILE_SET, { listed: false, keyId: 'k1' })).resolves.toBeDefined();
    clock.advance(61); // the first expired
    await sharing.create(owner, 'tileset', TILE_SET, { keyId: 'k1' });
    expect((await sharing.list(owner, 'tileset', TILE_SET)).map((l) => l.id)).not.toContain(first.link!.id);
  });

  it('revokes one link into the revoked set at once, and every link with the epoch', async () => {
    const { sharing, revoked, epochs } = setUp();
    const [a, b] = [
      await sharing.create(owner, 'tileset', TILE_SET, { keyId: 'k1' }),
      await sharing.create(owner, 'tileset', TILE_SET, { keyId: 'k1' }),
    ];
    await sharing.revoke(owner, 'tileset', TILE_SET, a.link!.id);
    expect([revoked.has(a.link!.id), revoked.has(b.link!.id)]).toEqual([true, false]);
    await expect(sharing.revoke(owner, 'tileset', TILE_SET, a.link!.id)).rejects.toMatchObject({
      code: 'SHARE_LINK_NOT_FOUND',
    });
    await expect(sharing.relabel(owner, 'tileset', TILE_SET, a.link!.id, 'x')).rejects.toMatchObject({
      code: 'SHARE_LINK_NOT_FOUND',
    });
    await sharing.revokeAll(owner, 'tileset', TILE_SET);
    expect(epochs.get(TILE_SET)).toBe(1);
    expect(await sharing.list(owner, 'tileset', TILE_SET)).toEqual([]);
  });

  it('lets nobody but the owner list, label or revoke', async () => {
    const { sharing } = setUp();
    const made = await sharing.create(owner, 'tileset', TILE_SET, { keyId: 'k1' });
    const other: Actor = { userId: 'u2', role: 'user' };
    for (const attempt of [
      () => sharing.list(other, 'tileset', TILE_SET),
      () => sharing.relabel(other, 'tileset', TILE_SET, made.link!.id, 'mine'),
      () => sharing.revoke(other, 'tileset', TILE_SET, made.link!.id),
      () => sharing.create(other, 'tileset', TILE_SET, { keyId: 'k1' }),
    ])
      await expect(attempt()).rejects.toThrow('TILE_SET_NOT_FOUND');
  });
});

describe('RevokedShareLinks', () => {
  it('reads the set at start, adds what the feed announces, reads again after a reconnect, drops the expired', async () => {
    const { links, feed, revoked, clock, sharing } = setUp();
    const made = await sharing.create(owner, 'tileset', TILE_SET, { ttlSeconds: 600, keyId: 'k1' });
    await links.revoke('tileset', TILE_SET, made.link!.id, clock.now()); // by another process
    await revoked.onModuleInit();
    expect(revoked.has(made.link!.id)).toBe(true);

    const expiry = Math.floor(clock.now().getTime() / 1000) + 60;
    feed.emit('shares', `heard-1 ${expiry}`);
    feed.emit('shares', 'malformed');
    expect([revoked.has('heard-1'), revoked.has('malformed')]).toEqual([true, false]);

    const later = await sharing.create(owner, 'tileset', TILE_SET, { keyId: 'k1' });
    await links.revoke('tileset', TILE_SET, later.link!.id, clock.now()); // announced while the feed was down
    feed.emit('shares', undefined);
    await new Promise(setImmediate);
    expect(revoked.has(later.link!.id)).toBe(true);

    clock.advance(601);
    feed.emit('shares', undefined);
    await new Promise(setImmediate);
    expect([revoked.has(made.link!.id), revoked.has('heard-1'), revoked.has(later.link!.id)]).toEqual([
      false,
      false,
      true,
    ]);
    revoked.onModuleDestroy();
  });
});

describe('ShareLinkUse', () => {
  it('notes a use at most once a minute per link and writes them in one batch', async () => {
    const { use, links, clock } = setUp();
    use.used('a');
    clock.advance(30);
    use.used('a');
    use.used('b');
    await use.flush();
    expect(links.useBatches).toHaveLength(1);
    expect([...links.useBatches[0].keys()]).toEqual(['a', 'b']);
    clock.advance(31);
    use.used('a');
    use.used('b');
    await use.flush();
    await use.flush(); // nothing pending: no write
    expect(links.useBatches.map((batch) => [...batch.keys()])).toEqual([['a', 'b'], ['a']]);
  });
});
