import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import type { Request, Response } from 'express';
import { STATUS_CODES } from 'node:http';
import { DatabaseOutage, isDatabaseUnavailable } from '#persistence';
import { DomainError, Metrics } from '#shared-kernel';
import { AppConfig } from '#config';
import { documentedProblemCodes } from '../../openapi/openapi-document.js';
import { clientGone } from '../client-gone.js';
import { lingerIfUnread } from '../linger.js';
import type { OperationRequest } from '../operation.guard.js';
import { DOMAIN_ERROR_STATUS, HTTP_STATUS_CODE, type ProblemCode, problemType } from './error-status.js';
import { HttpProblem } from './http-problem.js';
import { PROBLEM_CONTENT_TYPE, type ProblemDto } from './problem.dto.js';
import { RequestValidationError } from './request-validation.error.js';

/** Errors raised by Express' body parsers carry `type` and `status`. */
interface BodyParserError extends Error {
  type: string;
  status: number;
}

const BODY_PARSER_CODES: Record<string, ProblemCode> = {
  'entity.parse.failed': 'MALFORMED_BODY',
  'entity.too.large': 'PAYLOAD_TOO_LARGE',
  'entity.verify.failed': 'MALFORMED_BODY',
  'encoding.unsupported': 'UNSUPPORTED_MEDIA_TYPE',
  'charset.unsupported': 'UNSUPPORTED_MEDIA_TYPE',
  'request.aborted': 'REQUEST_ABORTED',
  'request.size.invalid': 'MALFORMED_BODY',
  'stream.encoding.set': 'INTERNAL_ERROR',
  'parameters.too.many': 'PAYLOAD_TOO_LARGE',
};

const BODY_PARSER_DETAIL: Record<string, string> = {
  MALFORMED_BODY: 'The request body could not be parsed.',
  PAYLOAD_TOO_LARGE: 'The request body is larger than this route accepts.',
  UNSUPPORTED_MEDIA_TYPE: 'The request body encoding or charset is not supported.',
  REQUEST_ABORTED: 'The client aborted the request.',
};

const isBodyParserError = (e: unknown): e is BodyParserError =>
  e instanceof Error &&
  typeof (e as BodyParserError).type === 'string' &&
  typeof (e as BodyParserError).status === 'number';

export const RETRY_AFTER_UNAVAILABLE_SECONDS = 5;

export interface Problem {
  status: number;
  code: ProblemCode;
  detail: string;
  extensions?: Record<string, unknown>;
}

/**
 * Writes every error, from any layer, as RFC 9457 application/problem+json. Unknown errors
 * become a logged 500 whose body says nothing about the cause.
 */
@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  private readonly logger = new Logger('ProblemDetails');
  /** In tests: flag answers whose code the operation's OpenAPI document does not list. */
  private readonly checkDocumentedCodes: boolean;
  private readonly lingerSeconds: number;

  constructor(
    config: AppConfig,
    private readonly outage: DatabaseOutage,
    private readonly metrics: Metrics,
  ) {
    this.checkDocumentedCodes = config.NODE_ENV === 'test';
    this.lingerSeconds = config.HTTP_LINGER_SECONDS;
  }

  catch(exception: unknown, host: ArgumentsHost): void {
    const ctx = host.switchToHttp();
    this.respond(exception, ctx.getRequest<Request & OperationRequest>(), ctx.getResponse<Response>());
  }

  /** Answers `req` with `exception` as a problem (what `catch` does; the tile pipeline calls it directly). */
  respond(exception: unknown, req: Request & OperationRequest, res: Response): void {
    const problem = toProblem(exception);
    if (this.checkDocumentedCodes && req.operationId) {
      const documented = documentedProblemCodes(req.operationId);
      if (documented && !documented.has(problem.code)) {
        this.logger.error(`${req.operationId} answered ${problem.code}, which its OpenAPI document does not list`);
        if (!res.headersSent) res.setHeader('X-Undocumented-Problem-Code', problem.code);
      }
    }

    if (problem.code === 'STORAGE_FULL') this.metrics.count('disk_full', { operation: req.operationId ?? 'unmatched' });
    if (clientGone(res)) {
      // Nobody to answer: the client hung up (an abandoned render, archive or upload). Not an
      // error of ours, whatever the work under way failed with when it was stopped.
      this.logger.log(
        { reqId: req.id, code: problem.code },
        `${req.method} ${req.originalUrl}: the client went away before the answer`,
      );
      return;
    }
    if (problem.status === HttpStatus.INTERNAL_SERVER_ERROR) {
      this.logger.error({ err: exception, reqId: req.id }, `Unhandled error on ${req.method} ${req.originalUrl}`);
    } else if (problem.code === 'DATABASE_UNAVAILABLE') {
      this.outage.failed(exception); // one story per outage, not a line per request
    } else if (problem.status >= 500) {
      this.logger.warn(
        { reqId: req.id, code: problem.code },
        `${problem.status} on ${req.method} ${req.originalUrl}: ${problem.detail}`,
      );
    }
    if (res.headersSent) {
      // A streamed body was already under way: the status line is gone, cut the connection.
      res.destroy();
      return;
    }
    const body = problemDocument(
      problem,
      req.originalUrl.split('?')[0] ?? req.originalUrl,
      req.id as string | undefined,
    );
    // Answering before the request body was read (an upload refused half-way).
    lingerIfUnread(req, res, this.lingerSeconds);
    if (problem.status === HttpStatus.SERVICE_UNAVAILABLE) {
      const retryAfter = problem.extensions?.retryAfterSeconds;
      res.setHeader(
        'Retry-After',
        String(typeof retryAfter === 'number' ? retryAfter : RETRY_AFTER_UNAVAILABLE_SECONDS),
      );
    }
    if (problem.status === HttpStatus.UNAUTHORIZED) {
      const invalid =
        problem.code === 'INVALID_ACCESS_TOKEN' || problem.code === 'INVALID_API_KEY' ? ', error="invalid_token"' : '';
      res.setHeader('WWW-Authenticate', `Bearer realm="tessera"${invalid}`);
    }
    // RFC 6750: the credentials are good, their scope is not enough.
    if (problem.code === 'INSUFFICIENT_SCOPE') res.setHeader('WWW-Authenticate', 'Bearer error="insufficient_scope"');
    res.status(problem.status).type(PROBLEM_CONTENT_TYPE).send(JSON.stringify(body));
  }
}

/** What any error means as a problem (status, code, detail, extension members). */
export function toProblem(exception: unknown): Problem {
  if (exception instanceof RequestValidationError) {
    return {
      status: HttpStatus.BAD_REQUEST,
      code: 'VALIDATION_FAILED',
      detail: exception.detail,
      extensions: { errors: exception.errors },
    };
  }
  if (exception instanceof HttpProblem)
    return {
      status: exception.status,
      code: exception.code,
      detail: exception.message,
      extensions: exception.extensions,
    };
  if (exception instanceof DomainError) {
    const status = (DOMAIN_ERROR_STATUS as Record<string, number>)[exception.code];
    if (status === undefined) return internal();
    return { status, code: exception.code as ProblemCode, detail: exception.message, extensions: exception.details };
  }
  // Nest wraps body-parser/http-errors failures in an HttpException with the original as cause.
  const parserError = exception instanceof HttpException ? exception.cause : exception;
  if (isBodyParserError(parserError) && parserError.status >= 400 && parserError.status < 500) {
    const code = BODY_PARSER_CODES[parserError.type] ?? 'BAD_REQUEST';
    return { status: parserError.status, code, detail: BODY_PARSER_DETAIL[code] ?? 'The request body was rejected.' };
  }
  if (exception instanceof HttpException) {
    const status = exception.getStatus();
    return {
      status,
      code: HTTP_STATUS_CODE[status] ?? (status >= 500 ? 'INTERNAL_ERROR' : 'HTTP_ERROR'),
      detail: httpDetail(exception),
    };
  }
  if (isDiskFull(exception)) {
    return {
      status: HttpStatus.INSUFFICIENT_STORAGE,
      code: 'STORAGE_FULL',
      detail: 'The server has no space left to take this; nothing of it was kept. Retry later.',
    };
  }
  if (isDatabaseUnavailable(exception)) {
    return {
      status: HttpStatus.SERVICE_UNAVAILABLE,
      code: 'DATABASE_UNAVAILABLE',
      detail: 'The database is unavailable; retry shortly.',
    };
  }
  return internal();
}

/** A write refused for want of space (ENOSPC, EDQUOT), here or in a render process, at any depth of `cause`. */
export function isDiskFull(error: unknown): boolean {
  for (let e = error, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (code === 'ENOSPC' || code === 'EDQUOT') return true;
    if (/\bENOSPC\b|No space left on device|\bEDQUOT\b|Disk quota exceeded/.test(e.message)) return true;
  }
  return false;
}

function internal(): Problem {
  return {
    status: 500,
    code: 'INTERNAL_ERROR',
    detail: 'An unexpected error occurred. It has been logged; quote the requestId when reporting it.',
  };
}

function httpDetail(exception: HttpException): string {
  const response = exception.getResponse();
  if (typeof response === 'string') return response;
  const message = (response as { message?: unknown }).message;
  if (typeof message === 'string') return message;
  if (Array.isArray(message)) return message.join('; ');
  return exception.message;
}

/** The RFC 9457 document of a problem. */
export function problemDocument(problem: Problem, instance: string, requestId?: string): ProblemDto {
  return {
    // Extension members first: they can never override a standard one.
    ...problem.extensions,
    type: problemType(problem.code),
    title: STATUS_CODES[problem.status] ?? 'Error',
    status: problem.status,
    detail: problem.detail,
    instance,
    code: problem.code,
    ...(requestId === undefined ? {} : { requestId }),
  };
}
