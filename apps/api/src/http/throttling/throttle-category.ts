import { applyDecorators, type ExecutionContext, Injectable, SetMetadata } from '@nestjs/common';
import { ThrottlerException, ThrottlerGuard, type ThrottlerLimitDetail, type ThrottlerRequest } from '@nestjs/throttler';
import { ApiProblems } from '../problem/api-problems.decorator.js';

/** Rate-limit categories; each is one named throttler with its own limit and window. */
export type ThrottleCategory = 'default' | 'auth' | 'tiles';
export const THROTTLE_CATEGORY = 'tessera:throttleCategory';

/** Puts a route (or controller) in a rate-limit category and documents its 429. */
export const ThrottleCategory = (category: ThrottleCategory) =>
  applyDecorators(SetMetadata(THROTTLE_CATEGORY, category), ApiProblems(429));

/**
 * A route is counted only by the throttler of its own category ('default' unless marked),
 * per client IP (as Express derives it with TRUST_PROXY_HOPS). A 429 carries Retry-After.
 */
@Injectable()
export class CategoryThrottlerGuard extends ThrottlerGuard {
  protected override async handleRequest(request: ThrottlerRequest): Promise<boolean> {
    const category =
      this.reflector.getAllAndOverride<ThrottleCategory | undefined>(THROTTLE_CATEGORY, [
        request.context.getHandler(),
        request.context.getClass(),
      ]) ?? 'default';
    if (request.throttler.name !== category) return true;
    return super.handleRequest(request);
  }

  protected override async throwThrottlingException(context: ExecutionContext, detail: ThrottlerLimitDetail): Promise<void> {
    const { res } = this.getRequestResponse(context);
    this.setResponseHeader(res, 'Retry-After', Math.max(1, Math.ceil(detail.timeToBlockExpire)));
    throw new ThrottlerException(`Too many requests; retry in ${Math.max(1, Math.ceil(detail.timeToBlockExpire))} s.`);
  }
}
