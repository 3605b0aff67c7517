import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, type OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { STATUS_CODES } from 'node:http';
import type { AppConfig } from '#config';
import { PUBLIC_SECURITY_MARKER, requiredScope, SCOPE_EXTENSION } from '../http/auth/auth.decorators.js';
import { declaredProblemCodes, implicitProblemCodes } from '../http/problem/api-problems.decorator.js';
import { PROBLEM_EXAMPLE_DETAIL, PROBLEM_STATUS, type ProblemCode, problemType } from '../http/problem/error-status.js';
import { PROBLEM_CONTENT_TYPE, ProblemDto } from '../http/problem/problem.dto.js';

type OperationObject = NonNullable<OpenAPIObject['paths'][string]['get']>;
type ResponseObject = Exclude<NonNullable<OperationObject['responses'][string]>, { $ref: string }>;

export const BEARER_SCHEME = 'bearer';
export const API_KEY_SCHEME = 'apiKey';
const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;
const EXAMPLE_ID = '3f0c8a2e-6c61-4a0e-9a3e-0f6d0e1b2c3d';

/** operationId -> every problem code its document lists (declared + implicit), once built. */
const documentedCodes = new Map<string, ReadonlySet<ProblemCode>>();

/** The problem codes the OpenAPI document lists for an operation (empty before it is built). */
export function documentedProblemCodes(operationId: string): ReadonlySet<ProblemCode> | undefined {
  return documentedCodes.get(operationId);
}

/**
 * The OpenAPI document of the API, deterministic (keys sorted) so that the committed
 * openapi.json can be compared with what the code produces.
 *
 * operationId = controller method name. Every operation is bearer-authenticated unless
 * @Public(). Its problem answers are derived from the codes it declares (@ApiProblems) and
 * those every operation can give (implicitProblemCodes): one response per status, whose
 * `code` is an enum of exactly those codes, with an example of each.
 */
export function buildOpenApiDocument(app: INestApplication, config: Pick<AppConfig, 'PUBLIC_BASE_URL'>): OpenAPIObject {
  const builder = new DocumentBuilder()
    .setTitle('Tessera API')
    .setDescription(
      'Gigapixel panoramas: streamed uploads, tile pyramids cut in the background, Deep Zoom and IIIF Image API 3.0 ' +
        'serving, share links that need no account, renditions.\n\n' +
        'Sign in with `POST /v1/auth/login`, then use **Authorize** with the access token; programs use an API key ' +
        '(`POST /v1/api-keys`) as a bearer token or in `X-API-Key`. ' +
        'Every error is `application/problem+json` (RFC 9457) with a stable `code`; each operation lists its codes.',
    )
    .setVersion('1')
    .addServer(
      config.PUBLIC_BASE_URL || '/',
      config.PUBLIC_BASE_URL ? 'This server' : 'The server this document came from',
    )
    .addBearerAuth(
      {
        type: 'http',
        scheme: 'bearer',
        description: 'An access token (POST /v1/auth/login) or an API key (`tsk_...`).',
      },
      BEARER_SCHEME,
    )
    .addApiKey(
      { type: 'apiKey', in: 'header', name: 'X-API-Key', description: 'An API key (`tsk_...`, POST /v1/api-keys).' },
      API_KEY_SCHEME,
    )
    .addSecurityRequirements(BEARER_SCHEME)
    .addSecurityRequirements(API_KEY_SCHEME)
    .build();
  const document = SwaggerModule.createDocument(app, builder, {
    operationIdFactory: (_controllerKey, methodKey) => methodKey,
    extraModels: [ProblemDto],
  });

  const responses = new Map<string, ResponseObject>();
  for (const pathItem of Object.values(document.paths)) {
    for (const method of METHODS) {
      const operation = pathItem[method];
      if (!operation) continue;
      const isPublic = operation.security?.some((requirement) => PUBLIC_SECURITY_MARKER in requirement) ?? false;
      if (isPublic) operation.security = [];
      else delete operation.security; // inherits the global bearer requirement
      const extensions = operation as unknown as Record<string, unknown>;
      if (!isPublic) {
        // What an API key needs here (a password session may do all its role allows).
        extensions[SCOPE_EXTENSION] ??= requiredScope(method.toUpperCase(), undefined, undefined);
      }
      const codes = new Set<ProblemCode>([
        ...declaredProblemCodes(operation.operationId!),
        ...implicitProblemCodes({ authenticated: !isPublic, jsonBody: hasJsonBody(operation) }),
      ]);
      documentedCodes.set(operation.operationId!, codes);
      addProblemResponses(operation, codes, responses);
    }
  }
  // One component per (status, codes): operations answering alike share it (the spec once
  // repeated them inline in every operation, examples included).
  document.components = { ...document.components, responses: Object.fromEntries(responses) };
  unwrapSingleAllOf(document);
  return sortKeys(document);
}

/**
 * Nest wraps a property's enum reference in a one-element allOf (so that OpenAPI 3.0 keeps
 * siblings such as `default`). A bare $ref when nothing rides along; otherwise the enum
 * inlined with its siblings, so every generator reads the same thing.
 */
function unwrapSingleAllOf(document: OpenAPIObject): void {
  const schemas = (document.components?.schemas ?? {}) as Record<string, Record<string, unknown>>;
  for (const schema of Object.values(schemas)) {
    const properties = (schema.properties ?? {}) as Record<string, Record<string, unknown>>;
    for (const [name, property] of Object.entries(properties)) {
      const allOf = property.allOf as { $ref?: string }[] | undefined;
      if (!allOf || allOf.length !== 1 || !allOf[0].$ref) continue;
      const { allOf: _, ...siblings } = property;
      const target = schemas[allOf[0].$ref.split('/').pop()!];
      properties[name] = Object.keys(siblings).length === 0 || !target ? allOf[0] : { ...target, ...siblings };
    }
  }
}

function hasJsonBody(operation: OperationObject): boolean {
  const body = operation.requestBody;
  return body !== undefined && 'content' in body && 'application/json' in body.content;
}

/** `TILE_SET_NOT_FOUND` -> `TileSetNotFound`. */
const pascal = (words: string) =>
  words
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
    .join('');

/** The shared response's name: its status's title, then its codes (`NotFoundPanoramaNotFound`). */
export const problemResponseName = (status: number, codes: readonly ProblemCode[]) =>
  pascal(STATUS_CODES[status] ?? 'Error') + codes.map(pascal).join('');

function addProblemResponses(
  operation: OperationObject,
  codes: ReadonlySet<ProblemCode>,
  shared: Map<string, ResponseObject>,
): void {
  const byStatus = new Map<number, ProblemCode[]>();
  for (const code of codes) {
    const status = PROBLEM_STATUS[code];
    byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
  }
  const instance = `/v1/panoramas/${EXAMPLE_ID}`;
  for (const [status, codesOfStatus] of byStatus) {
    const sorted = codesOfStatus.sort();
    const name = problemResponseName(status, sorted);
    operation.responses[String(status)] = { $ref: `#/components/responses/${name}` };
    if (shared.has(name)) continue;
    const title = STATUS_CODES[status] ?? 'Error';
    const response: ResponseObject = {
      description: `${title}: ${sorted.join(', ')}.`,
      content: {
        [PROBLEM_CONTENT_TYPE]: {
          schema: {
            allOf: [
              { $ref: '#/components/schemas/ProblemDto' },
              { type: 'object', required: ['code'], properties: { code: { type: 'string', enum: sorted } } },
            ],
          },
          examples: Object.fromEntries(
            sorted.map((code) => [
              code,
              {
                summary: code,
                value: {
                  type: problemType(code),
                  title,
                  status,
                  detail: PROBLEM_EXAMPLE_DETAIL[code] ?? title,
                  instance,
                  code,
                  requestId: EXAMPLE_ID,
                  ...(code === 'VALIDATION_FAILED'
                    ? { errors: [{ field: 'title', message: 'title must be shorter than or equal to 200 characters' }] }
                    : {}),
                },
              },
            ]),
          ),
        },
      },
    };
    if (status === 429 || status === 503) {
      response.headers = {
        'Retry-After': { description: 'Seconds to wait before retrying.', schema: { type: 'integer' } },
      };
    }
    if (status === 401) {
      response.headers = { 'WWW-Authenticate': { description: 'Bearer challenge.', schema: { type: 'string' } } };
    }
    shared.set(name, response);
  }
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
