import { createServer, type Server, STATUS_CODES } from 'node:http';
import type { NestApplicationOptions } from '@nestjs/common';
import { ExpressAdapter } from '@nestjs/platform-express';
import type { Socket } from 'node:net';
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
  constructor(private readonly checkEveryMs: number) {
    super();
  }

  override initHttpServer(options: NestApplicationOptions): void {
    super.initHttpServer(options);
    if (!options?.httpsOptions) {
      this.httpServer = createServer({ connectionsCheckingInterval: this.checkEveryMs }, this.getInstance());
    }
  }
}
