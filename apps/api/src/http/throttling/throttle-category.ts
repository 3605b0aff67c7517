import { type ExecutionContext, Injectable, SetMetadata } from '@nestjs/common';
import {
  ThrottlerException,
  ThrottlerGuard,
  type ThrottlerLimitDetail,
  type ThrottlerRequest,
} from '@nestjs/throttler';

/** A request the rate limits have counted and let through. */
export type RateLimitedRequest = { rateLimitCounted?: boolean };

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
function accountOf(req: Record<string, unknown>): Promise<string> {
  const email = (req.body as { email?: unknown } | undefined)?.email;
  return Promise.resolve(`account:${typeof email === 'string' ? email.trim().toLowerCase() : ''}`);
}

/**
 * A route is counted only by the throttler of its own category ('default' unless marked),
 * per client IP (as Express derives it with TRUST_PROXY_HOPS). A 429 carries Retry-After.
 */
@Injectable()
export class CategoryThrottlerGuard extends ThrottlerGuard {
  /**
   * Counts the request, unless it was counted already (and let through) by the tile fast
   * path, which then left it to the route.
   */
  override async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<RateLimitedRequest>();
    if (request.rateLimitCounted) return true;
    const allowed = await super.canActivate(context);
    request.rateLimitCounted = allowed;
    return allowed;
  }

  protected override async handleRequest(request: ThrottlerRequest): Promise<boolean> {
    if (request.throttler.name === 'account') {
      if (!this.reflector.get<boolean | undefined>(THROTTLE_ACCOUNT, request.context.getHandler())) return true;
      return super.handleRequest({ ...request, getTracker: accountOf });
    }
    const category =
      this.reflector.getAllAndOverride<ThrottleCategory | undefined>(THROTTLE_CATEGORY, [
        request.context.getHandler(),
        request.context.getClass(),
      ]) ?? 'default';
    if (request.throttler.name !== category) return true;
    return super.handleRequest(request);
  }

  protected override async throwThrottlingException(
    context: ExecutionContext,
    detail: ThrottlerLimitDetail,
  ): Promise<void> {
    const { res } = this.getRequestResponse(context);
    this.setResponseHeader(res, 'Retry-After', Math.max(1, Math.ceil(detail.timeToBlockExpire)));
    throw new ThrottlerException(`Too many requests; retry in ${Math.max(1, Math.ceil(detail.timeToBlockExpire))} s.`);
  }
}
