import { VersioningType } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { SwaggerModule } from '@nestjs/swagger';
import helmet from 'helmet';
import { Logger } from 'nestjs-pino';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { type AppConfig, requestId } from '#config';
import { migrateDatabase } from '#persistence';
import { ApiModule } from './api.module.js';
import { buildOpenApiDocument } from './openapi/openapi-document.js';

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
export async function createApiApp(config: AppConfig, options: CreateApiAppOptions = {}): Promise<NestExpressApplication> {
  const preview = options.preview ?? false;
  if (config.MIGRATE_ON_START && !preview) await migrateDatabase(config);

  const app = await NestFactory.create<NestExpressApplication>(ApiModule.forRoot(config), {
    bufferLogs: !preview,
    bodyParser: false,
    preview,
    ...(preview ? { logger: false } : {}),
  });
  if (!preview) {
    app.useLogger(app.get(Logger));
    app.flushLogs();
  }

  // Exactly this many reverse proxies are trusted to set X-Forwarded-For (never `true`).
  app.set('trust proxy', config.TRUST_PROXY_HOPS);
  app.disable('x-powered-by');
  app.use((req: IncomingMessage, res: ServerResponse, next: () => void) => {
    requestId(req, res);
    next();
  });
  // No upgrade-insecure-requests: Swagger UI must load over plain http on a LAN host; TLS
  // (and so HSTS) is the reverse proxy's business.
  // blob: images: the viewer (OpenSeadragon) draws tiles it fetched with the bearer header.
  app.use(helmet({ contentSecurityPolicy: { directives: { upgradeInsecureRequests: null, imgSrc: ["'self'", 'data:', 'blob:'] } } }));
  app.useBodyParser('json', { limit: config.JSON_BODY_LIMIT_BYTES });
  if (config.CORS_ORIGINS.length > 0) {
    app.enableCors({
      origin: config.CORS_ORIGINS,
      exposedHeaders: ['Location', 'ETag', 'Retry-After', 'X-Request-Id', 'Content-Disposition'],
      maxAge: 600,
    });
  }
  app.enableVersioning({ type: VersioningType.URI, defaultVersion: '1' });

  if (config.SWAGGER_ENABLED) {
    const document = buildOpenApiDocument(app);
    SwaggerModule.setup('docs', app, document, {
      jsonDocumentUrl: '/openapi.json',
      yamlDocumentUrl: '/openapi.yaml',
      customSiteTitle: 'Tessera API',
      swaggerOptions: { persistAuthorization: true, displayOperationId: true, tryItOutEnabled: true },
    });
  }
  return app;
}
