import { Injectable, SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import {
  InjectThrottlerOptions,
  InjectThrottlerStorage,
  ThrottlerGuard,
  type ThrottlerModuleOptions,
  type ThrottlerRequest,
  type ThrottlerStorage,
} from '@nestjs/throttler';
import type { Request, Response } from 'express';
import { RateLimits } from './rate-limits.js';

/** Rate-limit categories; each is one named throttler with its own limit and window. */
export type ThrottleCategory = 'default' | 'auth' | 'tiles';
export const THROTTLE_CATEGORY = 'tessera:throttleCategory';
export const THROTTLE_ACCOUNT = 'tessera:throttleAccount';

/**
 * Also counts the route per account named in the body's `email` (throttler `account`), so
 * that guessing one account's password from many addresses is slowed too.
 */
export const ThrottleAccount = () => SetMetadata(THROTTLE_ACCOUNT, true);

/** Puts a route (or controller) in a rate-limit category (every operation documents its 429). */
export const ThrottleCategory = (category: ThrottleCategory) => SetMetadata(THROTTLE_CATEGORY, category);

/** The account a sign-in names (as the users module normalises emails). */
function accountOf(req: Request): string {
  const email = (req.body as { email?: unknown } | undefined)?.email;
  return `account:${typeof email === 'string' ? email.trim().toLowerCase() : ''}`;
}

/**
 * A route is counted only by the throttler of its own category ('default' unless marked),
 * per client IP (as Express derives it with TRUST_PROXY_HOPS). A 429 carries Retry-After.
 * The counting itself is RateLimits' (which the tile pipeline calls too); this guard only
 * says which window counts a route.
 */
@Injectable()
export class CategoryThrottlerGuard extends ThrottlerGuard {
  constructor(
    @InjectThrottlerOptions() options: ThrottlerModuleOptions,
    @InjectThrottlerStorage() storage: ThrottlerStorage,
    reflector: Reflector,
    private readonly rateLimits: RateLimits,
  ) {
    super(options, storage, reflector);
  }

  protected override async handleRequest(request: ThrottlerRequest): Promise<boolean> {
    const { context, throttler } = request;
    const req = context.switchToHttp().getRequest<Request>();
    const res = context.switchToHttp().getResponse<Response>();
    const operation = `${context.getClass().name}-${context.getHandler().name}`;
    const window = { ttl: request.ttl, limit: request.limit, blockDuration: request.blockDuration };
    if (throttler.name === 'account') {
      if (!this.reflector.get<boolean | undefined>(THROTTLE_ACCOUNT, context.getHandler())) return true;
      await this.rateLimits.count('account', operation, accountOf(req), res, window);
      return true;
    }
    const category =
      this.reflector.getAllAndOverride<ThrottleCategory | undefined>(THROTTLE_CATEGORY, [
        context.getHandler(),
        context.getClass(),
      ]) ?? 'default';
    if (throttler.name !== category) return true;
    await this.rateLimits.count(category, operation, this.rateLimits.clientOf(req), res, window);
    return true;
  }
}
