import { Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import type { Request, Response } from 'express';
import { ReadReplicas } from '#persistence';
import type { Reader } from '#shared-kernel';
import { BearerAuthentication } from '../http/auth/bearer-authentication.js';
import type { AuthenticatedRequest } from '../http/auth/auth.decorators.js';
import type { OperationRequest } from '../http/operation.guard.js';
import { ProblemDetailsFilter } from '../http/problem/problem-details.filter.js';
import { HttpProblem } from '../http/problem/http-problem.js';
import { RequestValidationError } from '../http/problem/request-validation.error.js';
import { RateLimits } from '../http/throttling/rate-limits.js';
import { ShareLinkVerifier } from '../share/share-link.guard.js';
import { sharedTileSetPlace, tileSetPlace, TileSetResponses } from './tile-set-responses.js';

/** The tile and IIIF image paths, as their routes declare them (segments still encoded). */
const BEARER_TILE = /^\/v1\/tilesets\/([^/]+)\/image_files\/([^/]+)\/([^/]+)$/;
const SHARED_TILE = /^\/v1\/s\/([^/]+)\/tilesets\/([^/]+)\/image_files\/([^/]+)\/([^/]+)$/;
const BEARER_IIIF = /^\/v1\/tilesets\/([^/]+)\/iiif\/([^/]+)\/([^/]+)\/([^/]+)\/([^/]+)$/;
const SHARED_IIIF = /^\/v1\/s\/([^/]+)\/tilesets\/([^/]+)\/iiif\/([^/]+)\/([^/]+)\/([^/]+)\/([^/]+)$/;
/** What ParseUUIDPipe accepts (any version, either case). */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const SUMMARY_MS = 60_000;

/** Each operation the pipeline owns: its path, and its key for rate limits (controller-handler). */
const OPERATIONS = {
  getTile: { path: BEARER_TILE, route: 'TileSetsController-getTile' },
  getSharedTile: { path: SHARED_TILE, route: 'SharedTileSetsController-getSharedTile' },
  getIiifImage: { path: BEARER_IIIF, route: 'TileSetsController-getIiifImage' },
  getSharedIiifImage: { path: SHARED_IIIF, route: 'SharedTileSetsController-getSharedIiifImage' },
} as const;
type Operation = keyof typeof OPERATIONS;

interface Target {
  operation: Operation;
  token?: string;
  id: string;
  /** The segments after the id: level and tile, or region, size, rotation and quality.format. */
  rest: string[];
}

/** The operations under a share link's prefix, and the others. */
const SHARED_OPERATIONS: Operation[] = ['getSharedTile', 'getSharedIiifImage'];
const BEARER_OPERATIONS: Operation[] = ['getTile', 'getIiifImage'];
const operationsFor = (path: string) => (path.startsWith('/v1/s/') ? SHARED_OPERATIONS : BEARER_OPERATIONS);

/** The operation a path names and its segments, decoded as Express decodes route parameters; undefined if none. */
function targetOf(path: string): Target | undefined {
  const shared = path.startsWith('/v1/s/');
  for (const operation of operationsFor(path)) {
    const match = OPERATIONS[operation].path.exec(path);
    if (!match) continue;
    const segments = match.slice(1).map((segment) => {
      try {
        return decodeURIComponent(segment);
      } catch {
        // Express' own refusal when it decodes a route parameter, word for word.
        throw new HttpProblem(400, 'BAD_REQUEST', `Failed to decode param '${segment}'`);
      }
    });
    const token = shared ? segments.shift() : undefined;
    const id = segments.shift()!;
    return { operation, token, id, rest: segments };
  }
  return undefined;
}

type TileRequest = Request & OperationRequest & AuthenticatedRequest;

/** Where `owns` keeps its answer on a request. */
const OWNED = Symbol('owned by the tile pipeline');

/**
 * The one owner of the tile GETs and IIIF image requests (operations getTile, getSharedTile,
 * getIiifImage, getSharedIiifImage: what viewers ask for by the hundred): taken at the HTTP
 * server's front door, before Express' router (see expressFrontDoor and createApiApp), after
 * the same request id, timing, headers and CORS middleware as every other route; it runs
 * them as one explicit pipeline and always answers, refusals included:
 *
 *   rate limit (the `tiles` window, RateLimits) -> who reads (BearerAuthentication, or
 *   ShareLinkVerifier for a share link) -> the id is a UUID -> the tile or IIIF image
 *   (TileSetResponses, on a replica when one has caught up) -> any error as a problem
 *   (ProblemDetailsFilter).
 *
 * The same services the guards delegate to, in the order the guards run, so the answers are
 * the routes': the controllers keep the two operations only to document them (a tile GET or
 * HEAD never reaches them). What it skips is the router's per-request machinery (a walk
 * over Express' middleware, route matching over every route, the handler pipeline, a log
 * line per request): tiles are logged as one summary line a minute.
 */
@Injectable()
export class TilePipeline implements OnModuleDestroy {
  private readonly logger = new Logger('Tiles');
  /** Totals since start (never reset), and as they were at the last summary line. */
  private readonly answered = { bearer: 0, shared: 0, notModified: 0, iiif: 0, refused: 0 };
  private logged = { ...this.answered };
  private readonly summary: NodeJS.Timeout;

  constructor(
    private readonly responses: TileSetResponses,
    private readonly replicas: ReadReplicas,
    private readonly rateLimits: RateLimits,
    private readonly authentication: BearerAuthentication,
    private readonly shares: ShareLinkVerifier,
    private readonly problems: ProblemDetailsFilter,
  ) {
    this.summary = setInterval(() => this.logSummary(), SUMMARY_MS).unref();
  }

  /** What it answered since start. */
  get counts(): Readonly<TilePipeline['answered']> {
    return { ...this.answered };
  }

  onModuleDestroy(): void {
    clearInterval(this.summary);
    this.logSummary();
  }

  /**
   * Whether the pipeline answers this request (a GET or HEAD of a tile or IIIF image path).
   * Asked by the front door and again by the headers middleware: the answer is kept on the
   * request, so a tile's path is matched once here (and once more, for its segments, by serve).
   */
  static owns(req: Request & { [OWNED]?: boolean }): boolean {
    return (req[OWNED] ??=
      (req.method === 'GET' || req.method === 'HEAD') &&
      operationsFor(req.path).some((operation) => OPERATIONS[operation].path.test(req.path)));
  }

  /** Answers a request it owns (see `owns`), refusals included; never throws. */
  readonly answer = (req: Request, res: Response): void => {
    void this.serve(req as TileRequest, res, req.path.startsWith('/v1/s/'));
  };

  /** Answers a request it owns with the problem `error` is (a refusal, or a middleware's failure before `answer`). */
  readonly fail = (error: unknown, req: Request, res: Response): void => {
    this.answered.refused++;
    this.problems.respond(error, req, res);
  };

  private async serve(req: TileRequest, res: Response, shared: boolean): Promise<void> {
    let target: Target;
    try {
      // Decoded first, as the router decodes parameters while matching: before the operation
      // is known, and before anything is counted.
      target = targetOf(req.path)!;
    } catch (error) {
      this.fail(error, req, res);
      return;
    }
    const { operation, token, id, rest } = target;
    req.operationId = operation;
    try {
      await this.rateLimits.count('tiles', OPERATIONS[operation].route, this.rateLimits.clientOf(req), res);
      let reader: Reader;
      let place;
      if (token !== undefined) {
        const access = await this.shares.verify(token, 'tileset', id);
        reader = access.grant;
        place = sharedTileSetPlace(token, id, access);
      } else {
        req.principal = await this.authentication.authenticate(req.headers, 'read');
        reader = req.principal;
        place = tileSetPlace(id);
      }
      if (!UUID.test(id)) throw new RequestValidationError([{ field: 'id', message: 'id must be a UUID' }]);
      if (operation === 'getTile' || operation === 'getSharedTile') {
        const [level, tile] = rest;
        const outcome = await this.replicas.staleOk(req.principal?.userId, () =>
          this.responses.tile(reader, id, { level, tile }, req, res, place),
        );
        if (outcome === 'not_modified') this.answered.notModified++;
        else if (shared) this.answered.shared++;
        else this.answered.bearer++;
      } else {
        const [region, size, rotation, qualityFormat] = rest;
        await this.replicas.staleOk(req.principal?.userId, () =>
          this.responses.iiifImage(reader, id, { region, size, rotation, qualityFormat }, req, res, place),
        );
        this.answered.iiif++;
      }
    } catch (error) {
      this.fail(error, req, res);
    }
  }

  private logSummary(): void {
    const now = { ...this.answered };
    const bearer = now.bearer - this.logged.bearer;
    const shared = now.shared - this.logged.shared;
    const notModified = now.notModified - this.logged.notModified;
    const iiif = now.iiif - this.logged.iiif;
    const refused = now.refused - this.logged.refused;
    this.logged = now;
    if (bearer + shared + notModified + iiif + refused === 0) return;
    this.logger.log(
      { tilesServed: bearer + shared, viaShareLinks: shared, notModified, iiifImages: iiif, refused },
      `Tiles in the last ${SUMMARY_MS / 1000} s: ${bearer + shared} served (${shared} via share links), ${notModified} not modified, ${iiif} IIIF images, ${refused} refused`,
    );
  }
}
