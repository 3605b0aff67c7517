import { VersioningType } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { SwaggerModule } from '@nestjs/swagger';
import helmet from 'helmet';
import { Logger } from 'nestjs-pino';
import type { IncomingMessage } from 'node:http';
import corsMiddleware from 'cors';
import type { Express, Request, Response } from 'express';
import { AppConfig, requestId } from '#config';
import { migrateDatabase, storedJwtSecret } from '#persistence';
import { DirectUploadStorage, Metrics } from '#shared-kernel';
import { ApiModule } from './api.module.js';
import type { OperationRequest } from './http/operation.guard.js';
import { configureHttpServer, expressFrontDoor, type Middleware, TimelyExpressAdapter } from './http/http-server.js';
import { TilePipeline } from './tilesets/tile-pipeline.js';
import { buildOpenApiDocument } from './openapi/openapi-document.js';
import { COMPRESS_HEADERS } from './images/images.controller.js';
import { embeddableShareAnswers, SHARE_API_PREFIX } from './share/embeddable-share-answers.js';

export interface CreateApiAppOptions {
  /**
   * Wire the modules without starting any provider (no database, no queue, no migrations):
   * enough to build the OpenAPI document. Nest's preview mode.
   */
  preview?: boolean;
}

/**
 * Builds the configured (not yet listening) API application. main.ts, the e2e tests and
 * the spec writer all go through here, so they run the same middleware in the same order.
 */
export async function createApiApp(
  configured: AppConfig,
  options: CreateApiAppOptions = {},
): Promise<NestExpressApplication> {
  const preview = options.preview ?? false;
  if (configured.MIGRATE_ON_START && !preview) await migrateDatabase(configured);
  const config = preview ? configured : await withStoredKeys(configured);

  // Timeouts are checked at a quarter of the shortest one, at most every 5 s.
  const checkEveryMs = Math.min(5_000, (config.HTTP_HEADERS_TIMEOUT_SECONDS * 1000) / 4);
  const adapter = new TimelyExpressAdapter(checkEveryMs);
  const app = await NestFactory.create<NestExpressApplication>(ApiModule.forRoot(config), adapter, {
    bufferLogs: !preview,
    bodyParser: false,
    preview,
    // Errors only: a provider that cannot be resolved is said, not a silent exit 1.
    ...(preview ? { logger: ['error'] } : {}),
  });
  if (!preview) {
    app.useLogger(app.get(Logger));
    app.flushLogs();
  }

  configureHttpServer(app.getHttpServer(), config);
  // Exactly this many reverse proxies are trusted to set X-Forwarded-For (never `true`).
  app.set('trust proxy', config.TRUST_PROXY_HOPS);
  app.disable('x-powered-by');
  // Validators a shared cache can revalidate byte-for-byte (Express' default is weak).
  app.set('etag', 'strong');
  // Every request's id; then (not in preview) its duration, by operation (known once
  // OperationGuard or TilePipeline ran), method and status.
  const stamp: Middleware = (req, res, next) => {
    requestId(req, res);
    next();
  };
  const metrics = preview ? undefined : app.get(Metrics);
  const timed: Middleware | undefined =
    metrics &&
    ((req: IncomingMessage & OperationRequest, res, next) => {
      const started = performance.now();
      res.once('finish', () =>
        metrics.observe(
          'http_request_duration_seconds',
          { operation: req.operationId ?? 'unmatched', method: req.method ?? '', status: String(res.statusCode) },
          (performance.now() - started) / 1000,
        ),
      );
      next();
    });
  // No upgrade-insecure-requests: Swagger UI must load over plain http on a LAN host; TLS
  // (and so HSTS) is the reverse proxy's business.
  // blob: images: the viewer (OpenSeadragon) draws tiles it fetched with the bearer header.
  // connect-src: the web app sends direct uploads' parts to the bucket itself.
  const buckets = preview ? [] : app.get(DirectUploadStorage).origins;
  const secureHeaders = helmet({
    contentSecurityPolicy: {
      directives: {
        upgradeInsecureRequests: null,
        imgSrc: ["'self'", 'data:', 'blob:'],
        ...(buckets.length > 0 ? { connectSrc: ["'self'", ...buckets] } : {}),
      },
    },
  });
  // Share-link answers (never HTML: tiles, images, descriptors, zips) may be loaded by any
  // site and answer their own preflights; they carry their own few headers, not helmet's
  // page policies, which a shared cache would otherwise store and send with every tile.
  // Tiles and IIIF images with a bearer token are images too: of helmet's, the two headers
  // that matter for them (and 10 fewer to write for each of a viewer's hundreds of tiles).
  const headers: Middleware = (req: Request, res: Response, next) => {
    if (req.path.startsWith(SHARE_API_PREFIX)) return embeddableShareAnswers(req, res, next);
    if (!TilePipeline.owns(req)) return secureHeaders(req, res, next);
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
    next();
  };
  // The listed origins, for the owner routes; share answers are for everyone (above).
  const corsOptions = {
    origin: config.CORS_ORIGINS,
    exposedHeaders: ['Location', 'ETag', 'Retry-After', 'X-Request-Id', 'Content-Disposition', ...COMPRESS_HEADERS],
    maxAge: 600,
  };
  const cors: Middleware | undefined =
    config.CORS_ORIGINS.length > 0
      ? corsMiddleware((req: Request, done) =>
          done(null, req.url.startsWith(SHARE_API_PREFIX) ? { origin: false } : corsOptions),
        )
      : undefined;
  for (const middleware of [stamp, timed, headers]) if (middleware) app.use(middleware);
  app.useBodyParser('json', { limit: config.JSON_BODY_LIMIT_BYTES });
  if (cors) app.use(cors);
  if (!preview) {
    // Tile GETs and IIIF images never reach Express' router (see TilePipeline): the same
    // middleware as above but the JSON body parser (a GET's body means nothing), then the pipeline.
    const pipeline = app.get(TilePipeline);
    adapter.frontDoor = expressFrontDoor(
      adapter.getInstance<Express>(),
      (req) => TilePipeline.owns(req),
      [stamp, timed, headers, cors],
      pipeline.answer,
      pipeline.fail,
    );
  }
  app.enableVersioning({ type: VersioningType.URI, defaultVersion: '1' });

  if (config.SWAGGER_ENABLED) {
    const document = buildOpenApiDocument(app, config);
    SwaggerModule.setup('docs', app, document, {
      jsonDocumentUrl: '/openapi.json',
      yamlDocumentUrl: '/openapi.yaml',
      customSiteTitle: 'Tessera API',
      swaggerOptions: { persistAuthorization: true, displayOperationId: true, tryItOutEnabled: true },
    });
  }
  return app;
}

/**
 * Without JWT_SECRET, the login-token key Tessera keeps in its database: the same for every
 * process, instance and restart, so sessions survive them.
 */
async function withStoredKeys(config: AppConfig): Promise<AppConfig> {
  if (!config.JWT_SECRET_GENERATED) return config;
  return AppConfig.with(config, {
    JWT_SECRET: await storedJwtSecret(config.DATABASE_URL),
    JWT_SECRET_GENERATED: false,
    JWT_SECRET_STORED: true,
  });
}
