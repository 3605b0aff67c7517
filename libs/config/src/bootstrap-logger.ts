import { createRequire } from 'node:module';
import type { LoggerService } from '@nestjs/common';
import pino, { type Logger, type TransportSingleOptions } from 'pino';
import type { AppConfig } from './app-config.js';

/** True when pino-pretty can be loaded (it is a development dependency: absent in the image). */
function prettyAvailable(): boolean {
  try {
    createRequire(import.meta.url).resolve('pino-pretty');
    return true;
  } catch {
    return false;
  }
}

/**
 * The pino transport for LOG_PRETTY: pino-pretty when asked for and installed, else none (JSON).
 * Shared by the bootstrap logger and the Nest logger so both print the same way.
 */
export function logTransport(config: Pick<AppConfig, 'LOG_PRETTY'>): TransportSingleOptions | undefined {
  if (!config.LOG_PRETTY || !prettyAvailable()) return undefined;
  return { target: 'pino-pretty', options: { singleLine: true } };
}

/**
 * The logger of the start-up phase, before Nest exists (database start-up, connection
 * retries) and for child processes it supervises (the embedded PostgreSQL). Same level,
 * format and destination as the application's logs.
 */
export function createBootstrapLogger(config: Pick<AppConfig, 'LOG_LEVEL' | 'LOG_PRETTY'>): Logger {
  const transport = logTransport(config);
  const logger = pino({ level: config.LOG_LEVEL, ...(transport ? { transport } : {}) });
  if (config.LOG_PRETTY && !transport) {
    logger.warn(
      { context: 'Bootstrap' },
      'LOG_PRETTY=true but pino-pretty is not installed (a development dependency): logging JSON instead.',
    );
  }
  return logger;
}

/**
 * Nest's LoggerService over a pino logger: installed with Logger.overrideLogger() for what
 * logs through Nest's static Logger before the application's own logger exists (migrations).
 */
export function asNestLogger(logger: Logger): LoggerService {
  const write =
    (level: 'info' | 'error' | 'warn' | 'debug' | 'trace' | 'fatal') =>
    (message: unknown, ...rest: unknown[]) => {
      const context = rest.length > 0 && typeof rest[rest.length - 1] === 'string' ? rest[rest.length - 1] : undefined;
      logger[level]({ context }, typeof message === 'string' ? message : JSON.stringify(message));
    };
  return {
    log: write('info'),
    error: write('error'),
    warn: write('warn'),
    debug: write('debug'),
    verbose: write('trace'),
    fatal: write('fatal'),
  };
}
