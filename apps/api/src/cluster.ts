import cluster, { type Worker } from 'node:cluster';
import { availableParallelism } from 'node:os';
import type { Logger } from 'pino';
import { type AppConfig, SHUTDOWN_MESSAGE } from '#config';
import { migrateDatabase, openDatabaseOrExit } from '#persistence';

/** API_PROCESSES, with 0 resolved: one per core in production, else one. */
export function apiProcessCount(config: AppConfig): number {
  if (config.API_PROCESSES > 0) return config.API_PROCESSES;
  return config.NODE_ENV === 'production' ? availableParallelism() : 1;
}

/** The URL to print for a server bound to `host` (a wildcard address prints as localhost). */
export const listeningUrl = (host: string, port: number) =>
  `http://${host === '0.0.0.0' || host === '::' ? 'localhost' : host}:${port}`;

/** A crashed API process is started again after 1 s, doubling up to this while it keeps crashing. */
const MAX_RESTART_DELAY_MS = 30_000;
/** An API process that ran this long before it exited starts the delays over. */
const STABLE_AFTER_MS = 60_000;

interface Slot {
  index: number;
  failures: number;
  startedAt: number;
  restart?: NodeJS.Timeout;
}

/**
 * The primary of an API cluster (API_PROCESSES > 1): `count` API processes (node:cluster)
 * share one port, the primary distributing connections. The primary opens the database once
 * (starting the embedded server if that is the configuration; it stops it last) and migrates
 * it once, then hands every process the same DATABASE_URL (keys not configured are read by
 * each process from the database: the same everywhere).
 * Only the first process runs the embedded job consumers. A process that dies is started
 * again, with backoff while it keeps dying. SIGTERM/SIGINT: every process stops gracefully,
 * then the primary exits 0; a second signal kills them and exits 1.
 */
export async function superviseApiCluster(settings: AppConfig, count: number, log: Logger): Promise<void> {
  const logger = log.child({ context: 'Cluster' });
  const database = await openDatabaseOrExit(settings, log);
  const config = database.config;
  if (config.MIGRATE_ON_START) {
    const applied = await migrateDatabase(config);
    if (applied.length) logger.info(`Migrations applied: ${applied.join(', ')}`);
  }
  const env = (index: number) => ({
    DATABASE_URL: config.DATABASE_URL,
    MIGRATE_ON_START: 'false',
    WORKER_EMBEDDED: index === 0 ? String(config.WORKER_EMBEDDED) : 'false',
  });

  let stopping = false;
  const slots: Slot[] = Array.from({ length: count }, (_, index) => ({ index, failures: 0, startedAt: 0 }));
  const start = (slot: Slot) => {
    slot.startedAt = Date.now();
    const worker: Worker = cluster.fork(env(slot.index));
    worker.on('exit', (code, signal) => {
      if (stopping) return;
      slot.failures = Date.now() - slot.startedAt > STABLE_AFTER_MS ? 1 : slot.failures + 1;
      const delayMs = Math.min(MAX_RESTART_DELAY_MS, 1000 * 2 ** (slot.failures - 1));
      logger.error(
        `API process ${worker.process.pid} (${slot.index + 1} of ${count}) exited (${signal ?? `code ${code}`}); ` +
          `starting another in ${delayMs / 1000} s`,
      );
      slot.restart = setTimeout(() => start(slot), delayMs);
    });
  };

  const listening = new Set<number>();
  cluster.on('listening', (worker, address) => {
    listening.add(worker.id);
    if (listening.size !== count) return;
    logger.info(
      `Tessera API: ${count} ${count === 1 ? 'process' : 'processes'} listening on ${listeningUrl(config.HOST, address.port)}`,
    );
  });
  cluster.on('exit', (worker) => listening.delete(worker.id));

  const workers = () => Object.values(cluster.workers ?? {}).filter((w): w is Worker => w !== undefined);
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) {
      logger.warn(`${signal} again: stopping the API processes at once`);
      for (const worker of workers()) worker.process.kill('SIGKILL');
      process.exit(1);
    }
    stopping = true;
    logger.info(`${signal} received: stopping ${workers().length} API processes gracefully`);
    for (const slot of slots) clearTimeout(slot.restart);
    const finish = () => {
      if (workers().length > 0) return;
      void database.close().then(
        () => process.exit(0),
        () => process.exit(1),
      );
    };
    cluster.on('exit', finish);
    for (const worker of workers()) worker.send(SHUTDOWN_MESSAGE);
    // Each process bounds its own drain (SHUTDOWN_GRACE_SECONDS); this bounds a stuck one.
    setTimeout(
      () => {
        logger.warn('API processes still running after the grace period: killing them');
        for (const worker of workers()) worker.process.kill('SIGKILL');
      },
      (config.SHUTDOWN_GRACE_SECONDS + 10) * 1000,
    ).unref();
    finish();
  };
  process.on('SIGTERM', stop).on('SIGINT', stop);
  for (const slot of slots) start(slot);
}
