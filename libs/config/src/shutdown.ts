import cluster from 'node:cluster';
import type { INestApplicationContext, LoggerService } from '@nestjs/common';
import { AppConfig } from './app-config.js';

/**
 * Graceful stop on SIGTERM/SIGINT: Nest's shutdown hooks run (readiness turns 503, the HTTP
 * server stops taking connections and drains, the queue lets active jobs finish), then
 * `afterClose` (the embedded database stops last), then the process exits 0. A second
 * signal exits at once with 1.
 *
 * Used instead of app.enableShutdownHooks(), which re-raises the signal after the hooks, so
 * a clean stop would look like a kill to a supervisor. A stop still under way 10 s past
 * SHUTDOWN_GRACE_SECONDS (work that does not end when asked) exits with 1 all the same.
 */
export function stopGracefullyOnSignals(
  app: INestApplicationContext,
  logger: LoggerService,
  afterClose: () => Promise<void> = async () => undefined,
): void {
  // In a cluster the primary decides: it sends SHUTDOWN_MESSAGE (a terminal's Ctrl-C reaches
  // every process of the group as well), and it is the one that gives up on a second signal.
  const supervised = cluster.isWorker;
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) {
      if (supervised) return;
      logger.warn(`${signal} again: exiting immediately`, 'Shutdown');
      process.exit(1);
    }
    stopping = true;
    logger.log(`${signal} received: shutting down gracefully`, 'Shutdown');
    const grace = graceSeconds(app);
    setTimeout(
      () => {
        logger.warn(`Still stopping ${grace + STUCK_AFTER_GRACE_SECONDS} s after ${signal}: exiting now`, 'Shutdown');
        process.exit(1);
      },
      (grace + STUCK_AFTER_GRACE_SECONDS) * 1000,
    ).unref();
    app
      .close()
      .then(afterClose)
      .then(
        () => process.exit(0),
        (error: unknown) => {
          logger.error(`Shutdown failed: ${String(error)}`, 'Shutdown');
          process.exit(1);
        },
      );
  };
  process.on('SIGTERM', stop).on('SIGINT', stop);
  if (supervised) process.on('message', (message) => message === SHUTDOWN_MESSAGE && stop('SIGTERM'));
}

const STUCK_AFTER_GRACE_SECONDS = 10;

function graceSeconds(app: INestApplicationContext): number {
  try {
    return app.get(AppConfig, { strict: false }).SHUTDOWN_GRACE_SECONDS;
  } catch {
    return 25;
  }
}

/** What a cluster's primary sends its API processes to stop them gracefully. */
export const SHUTDOWN_MESSAGE = 'tessera:shutdown';
