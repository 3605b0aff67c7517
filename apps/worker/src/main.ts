import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { Logger } from 'nestjs-pino';
import { loadConfigOrExit, loadEnvFile } from '#config';
import { WorkerModule } from './worker.module.js';

loadEnvFile();
const config = loadConfigOrExit();
const app = await NestFactory.createApplicationContext(WorkerModule.forRoot(config), { bufferLogs: true });
app.useLogger(app.get(Logger));
app.flushLogs();
// SIGTERM/SIGINT: stop taking jobs, let active ones finish (SHUTDOWN_GRACE_SECONDS), exit.
app.enableShutdownHooks();
await app.init();
app.get(Logger).log('Tessera worker ready', 'Bootstrap');
