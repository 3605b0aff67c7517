import { execFile } from 'node:child_process';
import { rm, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { createClient as generate } from '@hey-api/openapi-ts';
import { makeJpeg } from '#testing';
import { ADMIN_EMAIL, ADMIN_PASSWORD, type ApiHarness, startApi } from './support/api-harness.js';

/**
 * What another team generates from openapi.json must keep working, not only our own client
 * (openapi-typescript). A second generator, @hey-api/openapi-ts with its fetch client:
 * generated from the committed spec, type-checked strictly, then used against the real API
 * (sign in, upload, its SSE client to ready, list, a typed problem).
 */
const OUTPUT = resolve('test/.generated/hey-api');

let api: ApiHarness;
beforeAll(async () => {
  await rm(OUTPUT, { recursive: true, force: true });
  await generate({
    input: resolve('openapi.json'),
    output: OUTPUT,
    plugins: ['@hey-api/client-fetch'],
    logs: { level: 'silent' },
  });
  api = await startApi();
}, 120_000);
afterAll(async () => {
  await api?.close();
  await rm(OUTPUT, { recursive: true, force: true });
});

// Compiled together with the generated SDK: its types must say what the API answers.
const USAGE = `
import { getPanorama, type GetPanoramaErrors, type PanoramaDto } from './index.js';
type NotFound = GetPanoramaErrors[404];
export const code: NotFound['code'] = 'PANORAMA_NOT_FOUND';
// @ts-expect-error getPanorama cannot answer 404 with another code
export const wrong: NotFound['code'] = 'TILE_SET_NOT_FOUND';
export const width: PanoramaDto['width'] = 40000;
export const call = () => getPanorama({ path: { id: '00000000-0000-4000-8000-000000000000' } });
`;

it("compiles under strict TypeScript, its error types listing each operation's codes", async () => {
  await writeFile(`${OUTPUT}/usage.ts`, USAGE);
  const tsc = resolve('node_modules/typescript/bin/tsc');
  const args = [
    '--ignoreConfig',
    '--noEmit',
    '--strict',
    '--skipLibCheck',
    '--module',
    'nodenext',
    '--moduleResolution',
    'nodenext',
  ];
  const compile = promisify(execFile)(process.execPath, [
    tsc,
    ...args,
    '--target',
    'es2023',
    '--types',
    'node',
    `${OUTPUT}/index.ts`,
    `${OUTPUT}/usage.ts`,
  ]);
  await expect(compile).resolves.toBeDefined();
}, 120_000);

/** The slice of the generated SDK this test calls (it does not exist when tsc checks the tests). */
type Call = (options: Record<string, unknown>) => Promise<{ data?: unknown; error?: unknown; response: Response }>;
interface Sdk {
  streamTileSetEvents: (
    options: Record<string, unknown>,
  ) => Promise<{ stream: AsyncGenerator<{ status: string; progress: number }> }>;
  login: Call;
  uploadPanorama: Call;
  listPanoramas: Call;
  getPanorama: Call;
}

it('signs in, uploads, lists and reads a typed problem against the running API', async () => {
  const sdk = (await import(`${OUTPUT}/index.ts`)) as Sdk;
  const { client } = (await import(`${OUTPUT}/client.gen.ts`)) as { client: { setConfig(c: object): void } };
  client.setConfig({ baseUrl: api.baseUrl });

  const login = await sdk.login({ client, body: { email: ADMIN_EMAIL, password: ADMIN_PASSWORD } });
  expect(login.response.status).toBe(200);
  const auth = { client, auth: (login.data as { accessToken: string }).accessToken };

  const uploaded = await sdk.uploadPanorama({
    ...auth,
    body: {
      file: new Blob([new Uint8Array(await makeJpeg(400, 200))], { type: 'image/jpeg' }),
      title: 'Second client',
    },
  });
  expect(uploaded.response.status).toBe(202);
  expect(uploaded.data).toMatchObject({ title: 'Second client', width: 400, height: 200 });

  // Its SSE client, typed from the event schema: each event's data is a TileSetDto.
  const tileSetId = (uploaded.data as { tileSets: { id: string }[] }).tileSets[0].id;
  const { stream } = await sdk.streamTileSetEvents({ ...auth, path: { id: tileSetId } });
  const seen: string[] = [];
  for await (const tileSet of stream) {
    seen.push(tileSet.status);
    if (tileSet.status === 'ready') break;
  }
  expect(seen.at(-1)).toBe('ready');

  const listed = await sdk.listPanoramas({ ...auth, query: { limit: 10 } });
  expect((listed.data as { items: { id: string }[] }).items.map((p) => p.id)).toContain(
    (uploaded.data as { id: string }).id,
  );

  const missing = await sdk.getPanorama({ ...auth, path: { id: '00000000-0000-4000-8000-000000000000' } });
  expect(missing.response.status).toBe(404);
  expect(missing.error).toMatchObject({ status: 404, code: 'PANORAMA_NOT_FOUND' });
});
