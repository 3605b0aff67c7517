import { readFileSync } from 'node:fs';
import openapiTS, { astToString } from 'openapi-typescript';
import { type ApiHarness, startApi } from './support/api-harness.js';

/**
 * The committed openapi.json and the generated client are products: they must be exactly
 * what the code produces. On failure run `npm run openapi` and commit the result.
 */
let api: ApiHarness;
beforeAll(async () => {
  api = await startApi();
});
afterAll(() => api?.close());

type Operation = {
  operationId: string;
  security?: unknown[];
  'x-api-key-scope'?: string;
  responses: Record<string, { content?: Record<string, unknown> }>;
};
type Spec = {
  paths: Record<string, Record<string, Operation>>;
  components: { responses: Record<string, Operation['responses'][string]>; securitySchemes: Record<string, unknown> };
};
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the rest of the document, read freely below
const committed = () => JSON.parse(readFileSync('openapi.json', 'utf8')) as Spec & Record<string, any>;
/** Every operation, its responses' $refs resolved (problem answers are shared components). */
const operations = (spec: Spec) =>
  Object.entries(spec.paths).flatMap(([path, item]) =>
    Object.entries(item).map(([method, op]) => ({
      path,
      method,
      op: {
        ...op,
        responses: Object.fromEntries(
          Object.entries(op.responses).map(([status, response]) => {
            const ref = (response as { $ref?: string }).$ref;
            return [status, ref ? spec.components.responses[ref.split('/').pop()!] : response];
          }),
        ),
      },
    })),
  );

describe('OpenAPI spec', () => {
  it('lists, per operation and status, the problem codes as an enum with an example of each', () => {
    for (const { path, method, op } of operations(committed())) {
      for (const [status, response] of Object.entries(op.responses)) {
        if (Number(status) < 400) continue;
        const media = response.content!['application/problem+json'] as {
          schema: { allOf: [unknown, { properties: { code: { enum: string[] } } }] };
          examples: Record<string, { value: { code: string; status: number } }>;
        };
        const codes = media.schema.allOf[1].properties.code.enum;
        expect([method, path, status, codes.length > 0]).toEqual([method, path, status, true]);
        expect(Object.keys(media.examples).sort()).toEqual([...codes].sort());
        for (const code of codes) expect(media.examples[code].value).toMatchObject({ code, status: Number(status) });
      }
    }
    const getPanorama = operations(committed()).find(({ op }) => op.operationId === 'getPanorama')!.op;
    // 403: an API key without the read scope.
    expect(Object.keys(getPanorama.responses).sort()).toEqual(['200', '400', '401', '403', '404', '429', '500', '503']);
  });

  it('served by the running API equals the committed openapi.json (run `npm run openapi`)', async () => {
    const served = await (await fetch(`${api.baseUrl}/openapi.json`)).text();
    expect(JSON.parse(served)).toEqual(committed());
  });

  it('the generated client matches the committed spec (run `npm run openapi`)', async () => {
    // Same options as `npm run client:generate`: a field with a default stays optional in requests.
    const generated = astToString(await openapiTS(readFileSync('openapi.json', 'utf8'), { defaultNonNullable: false }));
    const onDisk = readFileSync('packages/client/src/schema.ts', 'utf8');
    const strip = (s: string) => s.replace(/^\/\*\*[\s\S]*?\*\/\s*/, '').trim();
    expect(strip(onDisk)).toBe(strip(generated));
  });

  it('names operations after controller methods, uniquely', () => {
    const ids = operations(committed()).map(({ op }) => op.operationId);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toEqual(
      expect.arrayContaining([
        ...['register', 'login', 'refreshTokens', 'logout', 'getCurrentUser', 'listUsers', 'updateUser', 'deleteUser'],
        ...['uploadPanorama', 'listPanoramas', 'getPanorama', 'updatePanorama', 'deletePanorama', 'downloadOriginal'],
        ...[
          'createTileSet',
          'listTileSets',
          'getTileSet',
          'streamTileSetEvents',
          'getTileManifest',
          'getDeepZoomDescriptor',
          'getTile',
        ],
        ...['downloadTileArchive', 'deleteTileSet'],
      ]),
    );
  });

  it('documents auth and problem answers on every operation', () => {
    const spec = committed();
    // Either: an access token or an API key as a bearer token, or an API key in X-API-Key.
    expect(spec.security).toEqual([{ bearer: [] }, { apiKey: [] }]);
    expect(spec.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(spec.components.securitySchemes.apiKey).toMatchObject({ type: 'apiKey', in: 'header', name: 'X-API-Key' });
    for (const { path, method, op } of operations(spec)) {
      const label = `${method.toUpperCase()} ${path}`;
      const isPublic = Array.isArray(op.security) && op.security.length === 0;
      expect([label, isPublic || op.responses['401'] !== undefined]).toEqual([label, true]);
      // What an API key needs here, on every authenticated operation.
      expect([label, isPublic || ['read', 'write', 'admin', 'session'].includes(op['x-api-key-scope'] ?? '')]).toEqual([
        label,
        true,
      ]);
      for (const [status, response] of Object.entries(op.responses)) {
        if (Number(status) >= 400)
          expect([label, status, Object.keys(response.content ?? {})]).toEqual([
            label,
            status,
            ['application/problem+json'],
          ]);
      }
    }
    const publicOps = operations(spec)
      .filter(({ op, path }) => Array.isArray(op.security) && op.security.length === 0 && !path.startsWith('/v1/s/'))
      .map(({ op }) => op.operationId);
    expect(publicOps.sort()).toEqual(['getLiveness', 'getReadiness', 'login', 'refreshTokens', 'register']);
    // Share-link routes need no bearer token: the token in their path is the credential, so
    // each documents the 403 of a bad, expired or revoked link instead of a 401.
    const shared = operations(spec).filter(({ path }) => path.startsWith('/v1/s/{token}/'));
    expect(shared.length).toBe(12);
    for (const { op } of shared) {
      expect(op.security).toEqual([]);
      expect(op.responses['403']).toBeDefined();
    }
  });
});
