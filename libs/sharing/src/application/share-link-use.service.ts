import { Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { LRUCache } from 'lru-cache';
import { Clock } from '#shared-kernel';
import { ShareLinkRepository } from './ports/share-link.repository.port.js';

/** A link's last use is recorded at most this often (its precision, as listed). */
const RESOLUTION_MS = 60_000;
/** Pending uses are written this often, or as soon as this many are waiting. */
const FLUSH_MS = 15_000;
const FLUSH_AT = 1_000;
/** Links whose last recorded use is remembered (the most recently used). */
const REMEMBERED_MAX = 10_000;

/**
 * When each listed share link was last used, recorded without a write per request: a use
 * is noted in memory (at most once a minute per link) and written in batches. A use noted
 * while the database is away is lost: last-used is a hint for the owner, not an audit log.
 */
@Injectable()
export class ShareLinkUse implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('ShareLinks');
  private pending = new Map<string, Date>();
  private readonly recorded = new LRUCache<string, number>({ max: REMEMBERED_MAX });
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly links: ShareLinkRepository,
    private readonly clock: Clock,
  ) {}

  onModuleInit(): void {
    this.timer = setInterval(() => void this.flush(), FLUSH_MS).unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.flush();
  }

  used(id: string): void {
    const now = this.clock.now();
    const last = this.recorded.get(id);
    if (last !== undefined && now.getTime() - last < RESOLUTION_MS) return;
    this.recorded.set(id, now.getTime());
    this.pending.set(id, now);
    if (this.pending.size >= FLUSH_AT) void this.flush();
  }

  /** Writes the uses noted so far (a list of links calls it first: its own uses show). */
  async flush(): Promise<void> {
    if (this.pending.size === 0) return;
    const batch = this.pending;
    this.pending = new Map();
    await this.links
      .recordUse(batch)
      .catch((error: unknown) => this.logger.warn({ err: error }, `Lost the last use of ${batch.size} share links`));
  }
}
