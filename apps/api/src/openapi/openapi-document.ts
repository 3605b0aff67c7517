import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, type OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { PUBLIC_SECURITY_MARKER } from '../http/auth/auth.decorators.js';
import { PROBLEM_CONTENT_TYPE, ProblemDto } from '../http/problem/problem.dto.js';

export const BEARER_SCHEME = 'bearer';
const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;

const problem = (description: string) => ({
  description,
  content: { [PROBLEM_CONTENT_TYPE]: { schema: { $ref: '#/components/schemas/ProblemDto' } } },
});

/**
 * The OpenAPI document of the API, deterministic (keys sorted) so that the committed
 * openapi.json can be compared with what the code produces.
 *
 * operationId = controller method name. Every operation is bearer-authenticated unless
 * @Public(), and every authenticated one documents its 401; every one documents 500 and 503.
 */
export function buildOpenApiDocument(app: INestApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('Tessera API')
    .setDescription(
      'Gigapixel panoramas: upload, tile pyramids, Deep Zoom / IIIF serving.\n\n' +
        'Sign in with `POST /v1/auth/login`, then use **Authorize** with the access token. ' +
        'Every error is `application/problem+json` (RFC 9457) with a stable `code`.',
    )
    .setVersion('1')
    .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' }, BEARER_SCHEME)
    .addSecurityRequirements(BEARER_SCHEME)
    .build();
  const document = SwaggerModule.createDocument(app, config, {
    operationIdFactory: (_controllerKey, methodKey) => methodKey,
    extraModels: [ProblemDto],
  });

  for (const pathItem of Object.values(document.paths)) {
    for (const method of METHODS) {
      const operation = pathItem[method];
      if (!operation) continue;
      const isPublic = operation.security?.some((requirement) => PUBLIC_SECURITY_MARKER in requirement) ?? false;
      if (isPublic) operation.security = [];
      else {
        delete operation.security; // inherits the global bearer requirement
        operation.responses['401'] ??= problem('Missing, invalid or expired credentials.');
      }
      operation.responses['500'] ??= problem('Unexpected error (logged; quote the requestId).');
      operation.responses['503'] ??= problem('A dependency (the database) is unavailable; retry after Retry-After seconds.');
    }
  }
  return sortKeys(document);
}

/** Recursively sorts object keys (arrays keep their order). */
export function sortKeys<T>(value: T): T {
  if (Array.isArray(value)) return value.map(sortKeys) as T;
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>)
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([k, v]) => [k, sortKeys(v)]),
    ) as T;
  }
  return value;
}

export const serialiseDocument = (document: OpenAPIObject): string => `${JSON.stringify(document, null, 2)}\n`;
