import {
  type CallHandler,
  type CanActivate,
  type ExecutionContext,
  Injectable,
  type NestInterceptor,
  type OnModuleInit,
  UseInterceptors,
} from '@nestjs/common';
import type { Request, Response } from 'express';
import { Observable } from 'rxjs';
import { ReadReplicas } from '#persistence';
import type { AuthenticatedRequest } from './auth/auth.decorators.js';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Global guard, after authentication (it refuses nothing): a signed-in user's request that
 * may write (any method but GET, HEAD, OPTIONS) counts as a write from when it passes
 * authentication until its response is closed, so that this user's stale-OK reads go to the
 * primary meanwhile and afterwards until a replica has replayed past its end
 * (read-your-own-writes, ReadReplicas.writing). A guard, not an interceptor: a global
 * interceptor would turn an SSE route's refusal (404) into an error event on a 200 stream.
 */
@Injectable()
export class TrackWrites implements CanActivate {
  constructor(private readonly replicas: ReadReplicas) {}

  canActivate(context: ExecutionContext): boolean {
    const http = context.switchToHttp();
    const req = http.getRequest<Request & AuthenticatedRequest>();
    if (!this.replicas.enabled || SAFE_METHODS.has(req.method) || !req.principal) return true;
    const done = this.replicas.writing(req.principal.userId);
    const res = http.getResponse<Response>();
    // 'close' comes after the last byte (or the client leaving), whoever writes the response.
    if (res.closed) done();
    else res.once('close', done);
    return true;
  }
}

/**
 * Runs a route's handler in a stale-OK scope (ReadReplicas.staleOk): its reads may come from
 * a replica a moment behind, except that the signed-in caller sees their own writes.
 */
@Injectable()
export class StaleOkReads implements NestInterceptor, OnModuleInit {
  constructor(private readonly replicas: ReadReplicas) {}

  /** The API is where stale-OK reads are made: the replicas are checked from its start. */
  onModuleInit(): void {
    this.replicas.monitor();
  }

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (!this.replicas.enabled) return next.handle();
    const reader = context.switchToHttp().getRequest<AuthenticatedRequest>().principal?.userId;
    // The handler runs when the observable is subscribed to: subscribe inside the scope.
    return new Observable((subscriber) => this.replicas.staleOk(reader, () => next.handle().subscribe(subscriber)));
  }
}

/**
 * The route reads what may be a moment stale (lists, searches, share pages, descriptors of
 * ready tile sets): its reads may go to a read replica. See docs/architecture.md.
 */
export const StaleOk = () => UseInterceptors(StaleOkReads);
