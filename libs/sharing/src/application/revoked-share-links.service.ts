import { Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { ChangeFeed, Clock } from '#shared-kernel';
import { ShareLinkRepository } from './ports/share-link.repository.port.js';

/** The set is read again this often (drops what expired; catches anything missed). */
const RELOAD_MS = 10 * 60_000;

/**
 * The listed share links that were revoked and have not expired yet, held in memory by every
 * API process, so that checking a link costs no database round trip (a viewer sends one
 * request per tile). Revocations reach it at once in this process and through the change
 * feed (channel `shares`, payload `{id} {expiry in Unix seconds}`) in every other; after the
 * feed reconnects (notifications may have been lost) and every ten minutes the set is read
 * again. A revocation is never undone, so reads only add; expired links are dropped (their
 * tokens fail on their expiry anyway). Memory: about 100 bytes per revoked, unexpired link.
 */
@Injectable()
export class RevokedShareLinks implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('ShareLinks');
  /** Link id -> expiry (ms). */
  private readonly revoked = new Map<string, number>();
  private unsubscribe?: () => void;
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly links: ShareLinkRepository,
    private readonly changes: ChangeFeed,
    private readonly clock: Clock,
  ) {}

  async onModuleInit(): Promise<void> {
    // Listen first: a revocation made while the set is read is heard, not lost between the two.
    this.unsubscribe = this.changes.subscribe('shares', (payload) => {
      if (payload === undefined) void this.reloadQuietly();
      else this.heard(payload);
    });
    await this.reload();
    this.timer = setInterval(() => void this.reloadQuietly(), RELOAD_MS).unref();
  }

  onModuleDestroy(): void {
    this.unsubscribe?.();
    clearInterval(this.timer);
  }

  has(id: string): boolean {
    return this.revoked.has(id);
  }

  add(id: string, expiresAt: Date): void {
    if (expiresAt.getTime() > this.clock.now().getTime()) this.revoked.set(id, expiresAt.getTime());
  }

  private heard(payload: string): void {
    const [id, expiry] = payload.split(' ');
    const seconds = Number(expiry);
    if (id && Number.isSafeInteger(seconds)) this.add(id, new Date(seconds * 1000));
  }

  private async reload(): Promise<void> {
    const now = this.clock.now();
    for (const { id, expiresAt } of await this.links.revokedUnexpired(now)) this.add(id, expiresAt);
    for (const [id, expiry] of this.revoked) if (expiry <= now.getTime()) this.revoked.delete(id);
  }

  private reloadQuietly(): Promise<void> {
    // The database is away: the set in memory stays (revocations made meanwhile cannot be
    // committed either); the feed's reconnect reads it again.
    return this.reload().catch((error: unknown) =>
      this.logger.warn({ err: error }, 'Could not read the revoked share links'),
    );
  }
}
