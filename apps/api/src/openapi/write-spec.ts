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

const app = await createApiApp(loadConfig({ SWAGGER_ENABLED: 'false' }), { preview: true });
writeFileSync('openapi.json', serialiseDocument(buildOpenApiDocument(app)));
console.log('Wrote openapi.json');
