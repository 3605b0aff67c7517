import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { Logger } from 'nestjs-pino';
import { loadConfigOrExit, loadEnvFile, stopGracefullyOnSignals } from '#config';
import { WorkerModule } from './worker.module.js';

loadEnvFile();
const config = loadConfigOrExit();
const app = await NestFactory.createApplicationContext(WorkerModule.forRoot(config), { bufferLogs: true });
const logger = app.get(Logger);
app.useLogger(logger);
app.flushLogs();
// SIGTERM/SIGINT: stop taking jobs, let active ones finish (SHUTDOWN_GRACE_SECONDS), exit 0.
stopGracefullyOnSignals(app, logger);
await app.init();
logger.log('Tessera worker ready', 'Bootstrap');
