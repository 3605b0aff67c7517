import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { normalizeIp, ThrottlerException } from '@nestjs/throttler';
import type { Request, Response } from 'express';
import { AppConfig } from '#config';
import { SharedThrottlerStorage } from './shared-throttler-storage.js';

/** The named rate-limit windows; each route is counted by its category's (and sign-ins by `account` too). */
export type RateLimitName = 'default' | 'auth' | 'account' | 'tiles';

export interface RateLimitWindow {
  name: RateLimitName;
  /** In milliseconds. */
  ttl: number;
  limit: number;
}

/** The windows from configuration (ThrottlerModule's throttlers are these). */
export function rateLimitWindows(config: AppConfig): RateLimitWindow[] {
  return [
    { name: 'default', ttl: config.THROTTLE_TTL_SECONDS * 1000, limit: config.THROTTLE_LIMIT },
    { name: 'auth', ttl: config.THROTTLE_AUTH_TTL_SECONDS * 1000, limit: config.THROTTLE_AUTH_LIMIT },
    // Sign-in attempts per account, whatever the address they come from.
    { name: 'account', ttl: config.THROTTLE_ACCOUNT_TTL_SECONDS * 1000, limit: config.THROTTLE_ACCOUNT_LIMIT },
    // A viewer fetches hundreds of tiles a minute while zooming.
    { name: 'tiles', ttl: config.THROTTLE_TTL_SECONDS * 1000, limit: config.THROTTLE_TILES_LIMIT },
  ];
}

/**
 * Rate limiting as a plain service: counts a request in the shared storage (every instance
 * counts in PostgreSQL) and refuses past the limit with 429 and Retry-After. The throttler
 * guard delegates to it for routes; the tile pipeline calls it directly.
 */
@Injectable()
export class RateLimits {
  private readonly windows: Map<RateLimitName, RateLimitWindow>;

  constructor(
    private readonly storage: SharedThrottlerStorage,
    config: AppConfig,
  ) {
    this.windows = new Map(rateLimitWindows(config).map((w) => [w.name, w]));
  }

  /** The client a request counts against: its address as Express derives it (TRUST_PROXY_HOPS); IPv6 by /64. */
  clientOf(req: Request): string {
    return normalizeIp(req.ip ?? '');
  }

  /**
   * Counts one request of `operation` (`Controller-method`: each route has its own count) by
   * `tracker` in window `name`, with the window's configured ttl and limit unless given.
   * Past the limit: sets Retry-After on `res` and throws ThrottlerException (429).
   */
  async count(
    name: RateLimitName,
    operation: string,
    tracker: string,
    res: Response,
    window: { ttl: number; limit: number; blockDuration?: number } = this.windows.get(name)!,
  ): Promise<void> {
    // The key @nestjs/throttler's guard would make for this route: one count whichever counts it.
    const key = createHash('sha256').update(`${operation}-${name}-${tracker}`).digest('hex');
    const { isBlocked, timeToBlockExpire } = await this.storage.increment(
      key,
      window.ttl,
      window.limit,
      window.blockDuration ?? window.ttl,
      name,
    );
    if (!isBlocked) return;
    const seconds = Math.max(1, Math.ceil(timeToBlockExpire));
    res.setHeader('Retry-After', String(seconds));
    throw new ThrottlerException(`Too many requests; retry in ${seconds} s.`);
  }
}
