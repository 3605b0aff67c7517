import { createServer, type IncomingMessage, type Server, type ServerResponse, STATUS_CODES } from 'node:http';
import type { NestApplicationOptions } from '@nestjs/common';
import { ExpressAdapter } from '@nestjs/platform-express';
import type { Socket } from 'node:net';
import type { Express, NextFunction, Request, Response } from 'express';
import type { AppConfig } from '#config';
import { type ProblemCode, problemType } from './problem/error-status.js';
import { PROBLEM_CONTENT_TYPE } from './problem/problem.dto.js';

/**
 * Timeouts from configuration instead of Node's defaults (a 5-minute request timeout would
 * cut a 1 GiB upload on a slow line; no idle timeout would let a stalled client hold a socket
 * until then), and problem+json for what Node answers itself, before any request exists
 * (408, 431, 400 for garbage): the one error format holds there too.
 */
export function configureHttpServer(server: Server, config: AppConfig): void {
  server.headersTimeout = config.HTTP_HEADERS_TIMEOUT_SECONDS * 1000;
  server.requestTimeout = config.HTTP_REQUEST_TIMEOUT_SECONDS * 1000;
  server.keepAliveTimeout = config.HTTP_KEEP_ALIVE_TIMEOUT_SECONDS * 1000;
  server.timeout = config.HTTP_IDLE_TIMEOUT_SECONDS * 1000;
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Socket) => {
    if (error.code === 'ECONNRESET' || !socket.writable) {
      socket.destroy();
      return;
    }
    const [status, code, detail] = clientErrorProblem(error.code);
    const body = JSON.stringify({
      type: problemType(code),
      title: STATUS_CODES[status],
      status,
      detail,
      instance: 'about:blank',
      code,
    });
    socket.end(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: ${PROBLEM_CONTENT_TYPE}\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  });
}

function clientErrorProblem(errorCode: string | undefined): [number, ProblemCode, string] {
  switch (errorCode) {
    case 'HPE_HEADER_OVERFLOW':
      return [431, 'REQUEST_HEADER_FIELDS_TOO_LARGE', 'The request headers are too large.'];
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return [408, 'REQUEST_TIMEOUT', 'The request took too long to arrive.'];
    default:
      return [400, 'BAD_REQUEST', 'The request is not valid HTTP.'];
  }
}

/**
 * Nest's Express adapter, with the HTTP server created so that its timeouts are enforced
 * promptly: Node checks them every `connectionsCheckingInterval` (30 s by default, which let
 * a client that trickles its headers hold a socket twice as long as HTTP_HEADERS_TIMEOUT_SECONDS).
 */
export class TimelyExpressAdapter extends ExpressAdapter {
  /** Takes a request before Express when it returns true (see expressFrontDoor); HTTP only, not with httpsOptions. */
  frontDoor?: FrontDoor;

  constructor(private readonly checkEveryMs: number) {
    super();
  }

  override initHttpServer(options: NestApplicationOptions): void {
    super.initHttpServer(options);
    if (!options?.httpsOptions) {
      const express = this.getInstance<Express>();
      this.httpServer = createServer({ connectionsCheckingInterval: this.checkEveryMs }, (req, res) => {
        if (!this.frontDoor?.(req, res)) void express(req, res);
      });
    }
  }
}

/** Connect-style middleware, as Express runs it (Express' `RequestHandler` without its generics). */
export type Middleware = (req: Request, res: Response, next: NextFunction) => void;

/** Answers a request and returns true, or returns false and leaves it to Express. */
export type FrontDoor = (req: IncomingMessage, res: ServerResponse) => boolean;

/**
 * A front door for the requests `owns` picks: they never reach Express' router, whose walk
 * over every middleware and route a tile would otherwise pay. First what Express 5's
 * `app.handle` does before its router (the circular references, Express' prototypes for the
 * request and the response, `res.locals`; `originalUrl`, which the router sets), so that
 * `req.path`, `req.ip` and `res.status` work as in any route; then `before` in order (the
 * same middleware instances the app uses, so both paths send the same headers), then
 * `answer`, which must answer. A middleware that fails (throws, or calls `next(error)`)
 * ends the chain in `fail`, which must answer too, as Express' error path would. Every other
 * request goes on to Express, which redoes the same first steps. Also skipped: the request
 * and response hooks Nest's adapter can run (`setOnRequestHook`, its security headers and
 * CSRF check), which this app does not use.
 */
export function expressFrontDoor(
  express: Express,
  owns: (req: Request) => boolean,
  before: (Middleware | undefined)[],
  answer: (req: Request, res: Response) => void,
  fail: (error: unknown, req: Request, res: Response) => void,
): FrontDoor {
  const chain = before.filter((middleware): middleware is Middleware => middleware !== undefined);
  return (incoming, outgoing) => {
    const req = incoming as Request;
    const res = outgoing as Response;
    req.res = res;
    res.req = req;
    Object.setPrototypeOf(req, express.request);
    Object.setPrototypeOf(res, express.response);
    res.locals ??= Object.create(null) as Response['locals'];
    req.originalUrl ??= req.url;
    if (!owns(req)) return false;
    let index = 0;
    const next = (error?: unknown): void => {
      if (error) return fail(error, req, res);
      const middleware = chain[index++];
      if (!middleware) return answer(req, res);
      try {
        middleware(req, res, next);
      } catch (thrown) {
        fail(thrown, req, res);
      }
    };
    next();
    return true;
  };
}
