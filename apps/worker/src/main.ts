import '#supported-node';
import 'reflect-metadata';
import { writeFile } from 'node:fs/promises';
import { Logger as NestLogger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Logger } from 'nestjs-pino';
import {
  asNestLogger,
  createBootstrapLogger,
  PrometheusMetrics,
  loadConfigOrExit,
  loadEnvFile,
  stopGracefullyOnSignals,
} from '#config';
import { checkRenditionsSettings } from '#renditions';
import { openDatabaseOrExit, pendingMigrations } from '#persistence';
import { WORKER_ALIVE_FILE } from './healthcheck.js';
import { serveWorkerMetrics } from './metrics-server.js';
import { WorkerModule } from './worker.module.js';

loadEnvFile();
const settings = loadConfigOrExit(process.env, [checkRenditionsSettings]);
const bootstrapLog = createBootstrapLogger(settings);
// Until the application's logger takes over: migrations log through Nest's static Logger.
NestLogger.overrideLogger(asNestLogger(bootstrapLog));
// With DATABASE_URL empty: the embedded server the API started on this machine, or one
// this worker starts itself.
const database = await openDatabaseOrExit(settings, bootstrapLog);
const config = database.config;
// The API applies migrations; a worker on an older schema would fail on every job.
const pending = await pendingMigrations(config);
if (pending.length > 0) {
  console.error(
    `The database is not migrated (${pending.length} pending: ${pending.join(', ')}). Start the API or run \`npm run migrate\` first.`,
  );
  await database.close();
  process.exit(1);
}
const app = await NestFactory.createApplicationContext(WorkerModule.forRoot(config), { bufferLogs: true });
const logger = app.get(Logger);
app.useLogger(logger);
app.flushLogs();
// SIGTERM/SIGINT: stop taking jobs, let active ones finish (SHUTDOWN_GRACE_SECONDS), exit 0.
stopGracefullyOnSignals(app, logger, () => database.close());
await app.init();
const metricsServer = await serveWorkerMetrics(app.get(PrometheusMetrics), config);
if (metricsServer) logger.log(`Worker metrics on port ${config.METRICS_WORKER_PORT} (/metrics)`, 'Bootstrap');
logger.log('Tessera worker ready', 'Bootstrap');

// Liveness for container health checks (the worker serves no HTTP): the event loop touches
// this file every 10 s; `node dist/apps/worker/src/healthcheck.js` checks it is fresh.
const touch = () => writeFile(WORKER_ALIVE_FILE, String(Date.now())).catch(() => undefined);
await touch();
setInterval(() => void touch(), 10_000).unref();
