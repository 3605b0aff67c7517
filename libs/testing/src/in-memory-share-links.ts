import { type RevokedShareLink, ShareLink, type ShareKind, ShareLinkRepository } from '#sharing';

/** In-memory ShareLinkRepository with the MikroORM one's contract (share-link-repository.contract.ts). */
export class InMemoryShareLinkRepository extends ShareLinkRepository {
  readonly rows = new Map<string, ShareLink>();
  /** Every recordUse call, in order (what a test of the batching looks at). */
  readonly useBatches: Map<string, Date>[] = [];

  async insertWithin(link: ShareLink, limit: number, now: Date, forgetBefore: Date): Promise<boolean> {
    for (const [id, row] of this.rows)
      if (this.of(row, link.kind, link.resourceId) && row.expiresAt < forgetBefore) this.rows.delete(id);
    if ((await this.listActive(link.kind, link.resourceId, now)).length >= limit) return false;
    this.rows.set(link.id, new ShareLink({ ...link }));
    return true;
  }

  async listActive(kind: ShareKind, resourceId: string, now: Date): Promise<ShareLink[]> {
    return [...this.rows.values()]
      .filter((l) => this.of(l, kind, resourceId) && l.isActive(now))
      .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime() || (a.id < b.id ? -1 : 1))
      .map((l) => new ShareLink({ ...l }));
  }

  async relabel(kind: ShareKind, resourceId: string, id: string, label: string | null, now: Date) {
    const link = this.active(kind, resourceId, id, now);
    if (!link) return null;
    link.label = label;
    return new ShareLink({ ...link });
  }

  async revoke(kind: ShareKind, resourceId: string, id: string, at: Date): Promise<Date | null> {
    const link = this.active(kind, resourceId, id, at);
    if (!link) return null;
    link.revokedAt = at;
    return link.expiresAt;
  }

  async revokeAll(kind: ShareKind, resourceId: string, at: Date): Promise<RevokedShareLink[]> {
    const revoked: RevokedShareLink[] = [];
    for (const link of this.rows.values()) {
      if (!this.of(link, kind, resourceId) || !link.isActive(at)) continue;
      link.revokedAt = at;
      revoked.push({ id: link.id, expiresAt: link.expiresAt });
    }
    return revoked;
  }

  async revokedUnexpired(now: Date): Promise<RevokedShareLink[]> {
    return [...this.rows.values()]
      .filter((l) => l.revokedAt !== null && l.expiresAt > now)
      .map(({ id, expiresAt }) => ({ id, expiresAt }));
  }

  async recordUse(uses: ReadonlyMap<string, Date>): Promise<void> {
    this.useBatches.push(new Map(uses));
    for (const [id, at] of uses) {
      const link = this.rows.get(id);
      if (link && (link.lastUsedAt === null || link.lastUsedAt < at)) link.lastUsedAt = at;
    }
  }

  private of(link: ShareLink, kind: ShareKind, resourceId: string) {
    return link.kind === kind && link.resourceId === resourceId;
  }

  private active(kind: ShareKind, resourceId: string, id: string, now: Date) {
    const link = this.rows.get(id);
    return link && this.of(link, kind, resourceId) && link.isActive(now) ? link : undefined;
  }
}
