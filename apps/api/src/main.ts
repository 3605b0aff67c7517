import 'reflect-metadata';
import type { AddressInfo } from 'node:net';
import { Logger } from 'nestjs-pino';
import { loadConfigOrExit, loadEnvFile, stopGracefullyOnSignals } from '#config';
import { createApiApp } from './app.factory.js';

loadEnvFile();
const config = loadConfigOrExit();
const app = await createApiApp(config);
const logger = app.get(Logger);
stopGracefullyOnSignals(app, logger);
await app.listen(config.PORT, config.HOST);

const { port } = app.getHttpServer().address() as AddressInfo; // the real one, also when PORT=0
const url = `http://${config.HOST === '0.0.0.0' || config.HOST === '::' ? 'localhost' : config.HOST}:${port}`;
logger.log(`Tessera API listening on ${url}${config.SWAGGER_ENABLED ? `; Swagger UI at ${url}/docs` : ''}`, 'Bootstrap');
if (config.JWT_SECRET_GENERATED) {
  logger.warn('JWT_SECRET is not set: a random secret is used, so tokens do not survive a restart.', 'Bootstrap');
}
