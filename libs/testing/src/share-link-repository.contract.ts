import { randomUUID } from 'node:crypto';
import { ShareLink, type ShareKind, type ShareLinkRepository } from '#sharing';

export interface ShareLinkRepositories {
  links: ShareLinkRepository;
  /** Two existing resources of `kind`, owned by `ownerId` (real rows where the store has foreign keys). */
  kind: ShareKind;
  resources: [string, string];
  ownerId: string;
  dispose(): Promise<void>;
}

/**
 * What the sharing use cases and the revoked set rely on from ShareLinkRepository, run on
 * the in-memory fake and on MikroORM on PostgreSQL.
 */
export function shareLinkRepositoryContract(name: string, create: () => Promise<ShareLinkRepositories>) {
  describe(`ShareLinkRepository contract: ${name}`, () => {
    let r: ShareLinkRepositories;
    beforeEach(async () => {
      r = await create();
    });
    afterEach(() => r.dispose());

    const now = new Date('2026-12-06T12:00:00.000Z');
    const at = (seconds: number) => new Date(now.getTime() + seconds * 1000);
    const FORGET = at(-30 * 86_400);
    let made = 0;
    const link = (resource: 0 | 1 = 0, ttlSeconds = 3600, label: string | null = null) =>
      new ShareLink({
        id: randomUUID(),
        kind: r.kind,
        resourceId: r.resources[resource],
        createdBy: r.ownerId,
        label,
        keyId: 's1',
        epoch: 0,
        createdAt: at(++made), // distinct and increasing: newest first is well defined
        expiresAt: at(made + ttlSeconds),
        revokedAt: null,
        lastUsedAt: null,
      });
    const ids = (links: ShareLink[]) => links.map((l) => l.id);

    it("lists a resource's active links newest first, with what they were made with", async () => {
      const [a, b, other] = [link(0, 3600, 'Anna'), link(0), link(1)];
      for (const l of [a, b, other]) expect(await r.links.insertWithin(l, 10, now, FORGET)).toBe(true);
      const listed = await r.links.listActive(r.kind, r.resources[0], now);
      expect(ids(listed)).toEqual([b.id, a.id]);
      expect(listed[1]).toMatchObject({ label: 'Anna', keyId: 's1', epoch: 0, createdBy: r.ownerId, revokedAt: null });
      expect(listed[1].expiresAt).toEqual(a.expiresAt);
      expect(ids(await r.links.listActive(r.kind, r.resources[1], now))).toEqual([other.id]);
      expect(await r.links.listActive(r.kind, r.resources[0], at(10 * 3600))).toEqual([]); // all expired by then
    });

    it('refuses a link past the limit of active ones; expired and revoked ones do not count', async () => {
      const short = link(0, 10);
      expect(await r.links.insertWithin(short, 2, now, FORGET)).toBe(true);
      const kept = link(0);
      expect(await r.links.insertWithin(kept, 2, now, FORGET)).toBe(true);
      expect(await r.links.insertWithin(link(0), 2, now, FORGET)).toBe(false);
      expect(await r.links.insertWithin(link(1), 2, now, FORGET)).toBe(true); // another resource
      expect(await r.links.insertWithin(link(0), 2, at(100), FORGET)).toBe(true); // short expired by then
      expect(await r.links.revoke(r.kind, r.resources[0], kept.id, at(101))).toEqual(kept.expiresAt);
      expect(await r.links.insertWithin(link(0), 2, at(102), FORGET)).toBe(true);
    });

    it('labels and revokes one active link of the resource, and nothing else', async () => {
      const [a, b] = [link(0), link(0)];
      for (const l of [a, b]) await r.links.insertWithin(l, 10, now, FORGET);
      expect(await r.links.relabel(r.kind, r.resources[0], a.id, 'Ben', now)).toMatchObject({ id: a.id, label: 'Ben' });
      expect(await r.links.relabel(r.kind, r.resources[1], a.id, 'x', now)).toBeNull(); // not that resource's
      expect(await r.links.relabel(r.kind, r.resources[0], randomUUID(), 'x', now)).toBeNull();
      expect(await r.links.revoke(r.kind, r.resources[1], a.id, now)).toBeNull();
      expect(await r.links.revoke(r.kind, r.resources[0], a.id, now)).toEqual(a.expiresAt);
      expect(await r.links.revoke(r.kind, r.resources[0], a.id, now)).toBeNull(); // once
      expect(await r.links.relabel(r.kind, r.resources[0], a.id, 'x', now)).toBeNull(); // revoked
      expect(ids(await r.links.listActive(r.kind, r.resources[0], now))).toEqual([b.id]);
      expect((await r.links.listActive(r.kind, r.resources[0], now))[0].label).toBeNull();
    });

    it('revokes every active link of one resource, and lists the revoked ones until they expire', async () => {
      const [a, b, other, short] = [link(0), link(0), link(1), link(0, 10)];
      for (const l of [a, b, other, short]) await r.links.insertWithin(l, 10, now, FORGET);
      await r.links.revokeAll(r.kind, r.resources[0], now);
      expect(await r.links.listActive(r.kind, r.resources[0], now)).toEqual([]);
      expect(ids(await r.links.listActive(r.kind, r.resources[1], now))).toEqual([other.id]);
      const revoked = await r.links.revokedUnexpired(now);
      expect(revoked.map((x) => x.id).sort()).toEqual([a.id, b.id, short.id].sort());
      expect(revoked.find((x) => x.id === a.id)!.expiresAt).toEqual(a.expiresAt);
      expect((await r.links.revokedUnexpired(at(100))).map((x) => x.id).sort()).toEqual([a.id, b.id].sort());
    });

    it('records the last use, never moving it back', async () => {
      const a = link(0);
      await r.links.insertWithin(a, 10, now, FORGET);
      await r.links.recordUse(new Map([[a.id, at(60)]]));
      await r.links.recordUse(
        new Map([
          [a.id, at(30)],
          [randomUUID(), at(30)],
        ]),
      ); // an older use, an unknown link
      expect((await r.links.listActive(r.kind, r.resources[0], now))[0].lastUsedAt).toEqual(at(60));
      await r.links.recordUse(new Map());
    });
  });
}
