import '#supported-node';
import 'reflect-metadata';
import cluster from 'node:cluster';
import type { AddressInfo } from 'node:net';
import { Logger as NestLogger } from '@nestjs/common';
import { Logger } from 'nestjs-pino';
import { asNestLogger, createBootstrapLogger, loadConfigOrExit, loadEnvFile, stopGracefullyOnSignals } from '#config';
import { checkRenditionsSettings } from '#renditions';
import { openDatabaseOrExit } from '#persistence';
import { createApiApp } from './app.factory.js';
import { apiProcessCount, listeningUrl, superviseApiCluster } from './cluster.js';
import { InitialAdmin } from './users/initial-admin.js';

loadEnvFile();
const settings = loadConfigOrExit(process.env, [checkRenditionsSettings]);
const bootstrapLog = createBootstrapLogger(settings);
const processes = apiProcessCount(settings);
// Several processes, or one asked for explicitly (API_PROCESSES=1): under a primary that
// starts a dead one again (an OOM kill included). Left at 0 outside production: one plain process.
const supervised = processes > 1 || settings.API_PROCESSES === 1;
if (cluster.isPrimary && supervised) await superviseApiCluster(settings, processes, bootstrapLog);
else await serve();

/** One API process (alone, or one of a cluster's). */
async function serve(): Promise<void> {
  // Until the application's logger takes over: migrations log through Nest's static Logger.
  NestLogger.overrideLogger(asNestLogger(bootstrapLog));
  const database = await openDatabaseOrExit(settings, bootstrapLog);
  const config = database.config;
  const app = await createApiApp(config).catch(async (error: unknown) => {
    await database.close();
    throw error;
  });
  const logger = app.get(Logger);
  stopGracefullyOnSignals(app, logger, () => database.close());
  await app.listen(config.PORT, config.HOST);

  const { port } = app.getHttpServer().address() as AddressInfo; // the real one, also when PORT=0
  const url = listeningUrl(config.HOST, port);
  logger.log(
    `Tessera API listening on ${url}${config.SWAGGER_ENABLED ? `; Swagger UI at ${url}/docs` : ''}`,
    'Bootstrap',
  );
  app.get(InitialAdmin).printBanner(url);
}
