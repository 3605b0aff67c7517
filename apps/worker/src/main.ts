import 'reflect-metadata';
import { writeFile } from 'node:fs/promises';
import { NestFactory } from '@nestjs/core';
import { Logger } from 'nestjs-pino';
import { loadConfigOrExit, loadEnvFile, stopGracefullyOnSignals } from '#config';
import { pendingMigrations } from '#persistence';
import { WORKER_ALIVE_FILE } from './healthcheck.js';
import { WorkerModule } from './worker.module.js';

loadEnvFile();
const config = loadConfigOrExit();
// The API applies migrations; a worker on an older schema would fail on every job.
const pending = await pendingMigrations(config);
if (pending.length > 0) {
  console.error(`The database is not migrated (${pending.length} pending: ${pending.join(', ')}). Start the API or run \`npm run migrate\` first.`);
  process.exit(1);
}
const app = await NestFactory.createApplicationContext(WorkerModule.forRoot(config), { bufferLogs: true });
const logger = app.get(Logger);
app.useLogger(logger);
app.flushLogs();
// SIGTERM/SIGINT: stop taking jobs, let active ones finish (SHUTDOWN_GRACE_SECONDS), exit 0.
stopGracefullyOnSignals(app, logger);
await app.init();
logger.log('Tessera worker ready', 'Bootstrap');

// Liveness for container health checks (the worker serves no HTTP): the event loop touches
// this file every 10 s; `node dist/apps/worker/src/healthcheck.js` checks it is fresh.
const touch = () => writeFile(WORKER_ALIVE_FILE, String(Date.now())).catch(() => undefined);
await touch();
setInterval(touch, 10_000).unref();
