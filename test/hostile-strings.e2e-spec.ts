import { readFileSync } from 'node:fs';
import { makeJpeg } from '#testing';
import { type ApiHarness, expectProblem, rawFetch, startApi } from './support/api-harness.js';
import { multipartBody, rawRequest, rowsOf } from './support/uploads.js';

/**
 * SECURITY.md items 22 and 23, for every field the API accepts, found from openapi.json so
 * that a new route or field is covered without anyone remembering to: a NUL or another
 * control character in any string (JSON body, query, multipart field) is a 400 naming the
 * field, never a database error dressed as 503; JSON nested 20000 deep is a 400, never a
 * stack overflow 500. Nothing changes.
 */
type Schema = { $ref?: string; type?: string; properties?: Record<string, Schema>; format?: string; enum?: unknown[] };
type Operation = {
  operationId: string;
  parameters?: { name: string; in: string; schema: Schema }[];
  requestBody?: { content: Record<string, { schema: Schema }> };
};
const spec = JSON.parse(readFileSync('openapi.json', 'utf8')) as {
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, Schema> };
};
const resolveSchema = (schema: Schema): Schema =>
  schema.$ref ? spec.components.schemas[schema.$ref.split('/').pop()!] : schema;

const operations = Object.entries(spec.paths).flatMap(([path, item]) =>
  Object.entries(item).map(([method, op]) => ({ path, method: method.toUpperCase(), op })),
);
const SOME_ID = '00000000-0000-4000-8000-000000000000';
/** A shared collection's routes check the link before the query: a real link, to reach the validation. */
const sharedCollection = { token: '', id: '' };
const urlOf = (path: string) =>
  path
    .replace(
      /^\/v1\/s\/\{token\}\/collections\/\{id\}/,
      () => `/v1/s/${sharedCollection.token}/collections/${sharedCollection.id}`,
    )
    .replace(/\{[^}]+\}/g, SOME_ID);

/** [operation label, method, path, field] for every string property of a JSON body. */
const bodyFields = operations.flatMap(({ path, method, op }) => {
  const schema = op.requestBody?.content['application/json']?.schema;
  if (!schema) return [];
  return Object.entries(resolveSchema(schema).properties ?? {})
    .filter(([, property]) => resolveSchema(property).type === 'string')
    .map(([field]) => [op.operationId, method, path, field] as const);
});
const jsonOperations = operations
  .filter(({ op }) => op.requestBody?.content['application/json'])
  .map(({ path, method, op }) => [op.operationId, method, path] as const);
const queryFields = operations.flatMap(({ path, method, op }) =>
  (op.parameters ?? [])
    .filter((p) => p.in === 'query' && p.schema.type === 'string')
    .map((p) => [op.operationId, method, path, p.name] as const),
);

const HOSTILE = [
  ['NUL', 'a\u0000b'],
  ['a control character', 'a\u0007b'],
  ['an escape sequence', '\u001b[31mred'],
] as const;
const deep = (levels: number) => `${'['.repeat(levels)}${']'.repeat(levels)}`;

let api: ApiHarness;
let token: string;
beforeAll(async () => {
  api = await startApi();
  const login = await api.client().POST('/v1/auth/login', {
    body: { email: 'admin@tessera.test', password: 'admin password for tests' },
  });
  token = login.data!.accessToken;
  const made = await send('POST', '/v1/collections', JSON.stringify({ name: 'Shared' }));
  sharedCollection.id = made.body.id as string;
  const link = await send('POST', `/v1/collections/${sharedCollection.id}/share`, '{}');
  sharedCollection.token = new URL(link.body.url as string).pathname.split('/')[3];
});
afterAll(() => api?.close());

const send = (method: string, path: string, body?: string) =>
  rawFetch(api.baseUrl, path, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body,
  });

it('finds fields to attack (the spec has JSON bodies and string queries)', () => {
  expect(bodyFields.length).toBeGreaterThan(8);
  expect(queryFields.length).toBeGreaterThan(2);
});

describe.each(HOSTILE)('%s in a string field', (_name, value) => {
  it.each(bodyFields)('%s: body field %s %s .%s -> 400 naming it', async (_id, method, path, field) => {
    const response = await send(method, urlOf(path), JSON.stringify({ [field]: value }));
    const problem = expectProblem(response, 400, 'VALIDATION_FAILED');
    expect(problem.errors).toEqual(
      expect.arrayContaining([{ field, message: `${field} must not contain control characters` }]),
    );
  });

  it.each(queryFields)('%s: query %s %s ?%s -> 400 naming it', async (_id, method, path, name) => {
    const response = await send(method, `${urlOf(path)}?${name}=${encodeURIComponent(value)}`);
    const problem = expectProblem(response, 400, 'VALIDATION_FAILED');
    expect(problem.errors).toEqual(
      expect.arrayContaining([{ field: name, message: `${name} must not contain control characters` }]),
    );
  });
});

describe('JSON nested 20000 deep', () => {
  it.each(jsonOperations)('%s: %s %s as the whole body -> 400', async (_id, method, path) => {
    expectProblem(await send(method, urlOf(path), deep(20_000)), 400, 'VALIDATION_FAILED');
  });

  it.each(bodyFields)('%s: %s %s in .%s -> 400', async (_id, method, path, field) => {
    const response = await send(method, urlOf(path), `{"${field}":${deep(20_000)}}`);
    expectProblem(response, 400, 'VALIDATION_FAILED');
  });

  it('is refused without a token too (login is public)', async () => {
    const response = await rawFetch(api.baseUrl, '/v1/auth/login', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: deep(20_000),
    });
    const problem = expectProblem(response, 400, 'VALIDATION_FAILED');
    expect(problem.detail).toBe('The request nests values more than 32 levels deep.');
  });
});

it('keeps tabs and line breaks where text may have them (a description), but not in a title', async () => {
  const user = await api.userClient();
  const form = new FormData();
  form.append('file', new Blob([new Uint8Array(await makeJpeg(200, 100))], { type: 'image/jpeg' }), 'x.jpg');
  const created = await user.client.POST('/v1/panoramas', {
    body: form as never,
    bodySerializer: (b: unknown) => b as FormData,
  });
  const id = created.data!.id;
  const ok = await user.client.PATCH('/v1/panoramas/{id}', {
    params: { path: { id } },
    body: { description: 'line one\nline two\twith a tab\r\n' },
  });
  expect(ok.response.status).toBe(200);
  const refused = await rawFetch(api.baseUrl, `/v1/panoramas/${id}`, {
    method: 'PATCH',
    headers: { authorization: `Bearer ${user.accessToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({ title: 'two\nlines' }),
  });
  expect(expectProblem(refused, 400, 'VALIDATION_FAILED').errors).toEqual([
    { field: 'title', message: 'title must be a single line' },
  ]);
});

it('refuses a NUL in a multipart text field with 400, storing nothing', async () => {
  const user = await api.userClient();
  const { body, contentType } = multipartBody([
    { name: 'title', value: 'x\u0000y' },
    { name: 'file', filename: 'a.jpg', contentType: 'image/jpeg', data: await makeJpeg(200, 100) },
  ]);
  const response = await rawRequest(api.baseUrl, '/v1/panoramas', {
    headers: { authorization: `Bearer ${user.accessToken}`, 'content-type': contentType },
    body,
  });
  expectProblem(response, 400, 'VALIDATION_FAILED');
  expect(await rowsOf(api.db.url, user.id)).toEqual({ panoramas: 0, tileSets: 0 });
});
