/**
 * npm run openapi: writes the API's OpenAPI document, sorted, to openapi.json at the
 * repository root (the generated client is then rebuilt from it). Needs no database: the
 * app is built in preview mode through the same factory as the real one.
 */
import 'reflect-metadata';
import { writeFileSync } from 'node:fs';
import { loadConfig } from '#config';
import { createApiApp } from '../app.factory.js';
import { buildOpenApiDocument, serialiseDocument } from './openapi-document.js';

// PUBLIC_BASE_URL unset: the committed document's server is relative ("/").
const config = loadConfig({ SWAGGER_ENABLED: 'false', DATABASE_URL: 'postgres://unused/preview' });
const app = await createApiApp(config, { preview: true });
writeFileSync('openapi.json', serialiseDocument(buildOpenApiDocument(app, config)));
console.log('Wrote openapi.json');
