import { type CanActivate, Injectable, Logger, type OnModuleDestroy, type Type } from '@nestjs/common';
import { ExecutionContextHost } from '@nestjs/core/helpers/execution-context-host.js';
import type { NextFunction, Request, Response } from 'express';
import { ReadReplicas } from '#persistence';
import type { Reader } from '#shared-kernel';
import { JwtAuthGuard } from '../http/auth/jwt-auth.guard.js';
import type { AuthenticatedRequest } from '../http/auth/auth.decorators.js';
import type { OperationRequest } from '../http/operation.guard.js';
import { CategoryThrottlerGuard, type RateLimitedRequest } from '../http/throttling/throttle-category.js';
import { ShareLinkGuard, type ShareAccess } from '../share/share-link.guard.js';
import { SharedTileSetsController, sharedTileSetPlace } from './shared-tilesets.controller.js';
import { TileSetResponses } from './tile-set-responses.js';
import { TileSetsController, tileSetPlace } from './tilesets.controller.js';

const UUID = '[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}';
const TILE = `(${UUID})/image_files/([^/?]+)/([^/?]+)`;
const BEARER_TILE = new RegExp(`^/v1/tilesets/${TILE}$`);
const SHARED_TILE = new RegExp(`^/v1/s/([^/?]+)/tilesets/${TILE}$`);
const SUMMARY_MS = 60_000;

interface TileTarget {
  token?: string;
  id: string;
  level: string;
  tile: string;
}

/** The tile a path names (as the routes' patterns would match it), if it names one. */
function tileTarget(path: string): TileTarget | undefined {
  const bearer = BEARER_TILE.exec(path);
  if (bearer) return { id: bearer[1], level: bearer[2], tile: bearer[3] };
  const shared = SHARED_TILE.exec(path);
  if (shared) return { token: shared[1], id: shared[2], level: shared[3], tile: shared[4] };
  return undefined;
}

type TileRequest = Request &
  OperationRequest &
  AuthenticatedRequest &
  RateLimitedRequest & { shareAccess?: ShareAccess };

interface Route {
  controller: Type;
  handler: (...args: never[]) => unknown;
  guards: CanActivate[];
}

/**
 * The tile routes (getTile, getSharedTile) without the per-request machinery of the router:
 * Express' route matching, Nest's handler pipeline (pipes, parameter decorators, per-request
 * logging). It runs the same guards, in the same order, on a context naming the same
 * controller method (so rate-limit keys and metadata are the routes' own) and answers with the
 * same TileSetResponses code.
 *
 * Only the plain success is answered here (200 or 304). Anything else (no or a refused token,
 * a rate limit reached, a tile set not ready or not found, a tile outside the pyramid, storage
 * failing) falls through, untouched, to the ordinary route, which decides again and writes
 * the problem: the answers, their headers and the OpenAPI contract are the routes' own. A
 * request the rate limiter counted here is not counted again by the route. Tile hits are not
 * logged one line each: a summary line per minute.
 */
@Injectable()
export class TileFastPath implements OnModuleDestroy {
  private readonly logger = new Logger('Tiles');
  private readonly bearer: Route;
  private readonly shared: Route;
  /** Totals since start (never reset), and as they were at the last summary line. */
  private readonly served = { bearer: 0, shared: 0, notModified: 0, fellThrough: 0 };
  private logged = { ...this.served };
  private readonly summary: NodeJS.Timeout;

  constructor(
    private readonly responses: TileSetResponses,
    private readonly replicas: ReadReplicas,
    throttler: CategoryThrottlerGuard,
    auth: JwtAuthGuard,
    share: ShareLinkGuard,
  ) {
    // The global guards' order (see ApiModule): throttling, then authentication.
    this.bearer = {
      controller: TileSetsController,
      // eslint-disable-next-line @typescript-eslint/unbound-method -- a metadata key, never called
      handler: TileSetsController.prototype.getTile,
      guards: [throttler, auth],
    };
    // Then the controller's own: the share link.
    this.shared = {
      controller: SharedTileSetsController,
      // eslint-disable-next-line @typescript-eslint/unbound-method -- a metadata key, never called
      handler: SharedTileSetsController.prototype.getSharedTile,
      guards: [throttler, auth, share],
    };
    this.summary = setInterval(() => this.logSummary(), SUMMARY_MS).unref();
  }

  /** What was answered here, and what was left to the route, since start. */
  get counts(): Readonly<TileFastPath['served']> {
    return { ...this.served };
  }

  onModuleDestroy(): void {
    clearInterval(this.summary);
    this.logSummary();
  }

  /** Express middleware, mounted before Nest's router (when TILE_FAST_PATH is true). */
  readonly middleware = (req: Request, res: Response, next: NextFunction): void => {
    if (req.method !== 'GET') return next();
    const target = tileTarget(req.path);
    if (!target) return next();
    void this.serve(req as TileRequest, res, next, target);
  };

  private async serve(req: TileRequest, res: Response, next: NextFunction, target: TileTarget): Promise<void> {
    const { token, id, level, tile } = target;
    const route = token === undefined ? this.bearer : this.shared;
    req.operationId = route.handler.name;
    req.params = token === undefined ? { id, level, tile } : { token, id, level, tile };
    const context = new ExecutionContextHost([req, res, next], route.controller, route.handler);
    context.setType('http');
    const before = res.getHeaders();
    try {
      for (const guard of route.guards) await guard.canActivate(context);
      const access = req.shareAccess;
      const reader: Reader = access ? access.grant : req.principal!;
      const place = access && token ? sharedTileSetPlace(token, id, access) : tileSetPlace(id);
      const outcome = await this.replicas.staleOk(req.principal?.userId, () =>
        this.responses.tile(reader, id, { level, tile }, req, res, place),
      );
      if (outcome === 'not_modified') this.served.notModified++;
      else if (access) this.served.shared++;
      else this.served.bearer++;
    } catch {
      if (res.headersSent) {
        res.destroy(); // a body was under way: as the ordinary route does
        return;
      }
      // Undo what this attempt wrote, and let the ordinary route answer.
      for (const name of res.getHeaderNames()) res.removeHeader(name);
      for (const [name, value] of Object.entries(before)) if (value !== undefined) res.setHeader(name, value);
      res.statusCode = 200;
      delete req.principal;
      delete req.shareAccess;
      this.served.fellThrough++;
      next();
    }
  }

  private logSummary(): void {
    const now = { ...this.served };
    const bearer = now.bearer - this.logged.bearer;
    const shared = now.shared - this.logged.shared;
    const notModified = now.notModified - this.logged.notModified;
    const fellThrough = now.fellThrough - this.logged.fellThrough;
    this.logged = now;
    if (bearer + shared + notModified + fellThrough === 0) return;
    this.logger.log(
      { tilesServed: bearer + shared, viaShareLinks: shared, notModified, answeredByRoute: fellThrough },
      `Tiles in the last ${SUMMARY_MS / 1000} s: ${bearer + shared} served (${shared} via share links), ${notModified} not modified, ${fellThrough} left to the route`,
    );
  }
}
