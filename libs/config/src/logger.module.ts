import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Module } from '@nestjs/common';
import { LoggerModule as PinoLoggerModule } from 'nestjs-pino';
import { AppConfig } from './app-config.js';
import { logTransport } from './bootstrap-logger.js';

const SAFE_REQUEST_ID = /^[\w.:-]{1,128}$/;

/**
 * Accepts a caller's X-Request-Id when it is short and plain, else makes one; echoes it back.
 * Idempotent: the API calls it first thing (so even body-parser errors carry the id) and
 * pino-http calls it again.
 */
export function requestId(req: IncomingMessage & { id?: unknown }, res: ServerResponse): string {
  if (typeof req.id === 'string') return req.id;
  const incoming = req.headers['x-request-id'];
  const id = typeof incoming === 'string' && SAFE_REQUEST_ID.test(incoming) ? incoming : randomUUID();
  res.setHeader('X-Request-Id', id);
  req.id = id;
  return id;
}

/**
 * Structured JSON logs (pino) for both apps, one line per request with its request id.
 * Secrets in headers are redacted. LOG_PRETTY=true prints human-readable lines instead.
 */
@Module({
  imports: [
    PinoLoggerModule.forRootAsync({
      inject: [AppConfig],
      useFactory: (config: AppConfig) => ({
        pinoHttp: {
          level: config.LOG_LEVEL,
          genReqId: requestId,
          redact: ['req.headers.authorization', 'req.headers.cookie', 'res.headers["set-cookie"]'],
          // 503s at debug like successes: an outage is told once, by DatabaseOutage. A full
          // disk (507) is the machine's state, not a bug: a warning (and a metric).
          customLogLevel: (_req, res, err) =>
            res.statusCode === 503
              ? 'debug'
              : res.statusCode === 507
                ? 'warn'
                : err || res.statusCode >= 500
                  ? 'error'
                  : res.statusCode >= 400
                    ? 'info'
                    : 'debug',
          autoLogging: { ignore: (req) => req.url?.startsWith('/health/') ?? false },
          ...(logTransport(config) ? { transport: logTransport(config) } : {}),
        },
      }),
    }),
  ],
})
export class LoggerModule {}
