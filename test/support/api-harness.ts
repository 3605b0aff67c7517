import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { type AppConfig, loadConfig } from '#config';
import { createTesseraClient, type TesseraClient } from '#client';
import { createTestDatabase, type TestDatabase } from '#testing';
import { createApiApp } from '../../apps/api/src/app.factory.js';

export const ADMIN_EMAIL = 'admin@tessera.test';
export const ADMIN_PASSWORD = 'admin password for tests';
export const JWT_SECRET = 'e2e-secret-'.padEnd(48, 'x');

export interface ApiHarness {
  app: NestExpressApplication;
  config: AppConfig;
  db: TestDatabase;
  baseUrl: string;
  /** This app's STORAGE_LOCAL_ROOT and UPLOAD_TMP_DIR (fresh temp directories). */
  storageRoot: string;
  uploadTmpDir: string;
  /** The env a separate worker process needs to share this app's database and storage. */
  workerEnv: Record<string, string>;
  /** A fresh client with no token. */
  client(): TesseraClient;
  /** A client signed in as the seeded admin. */
  adminClient(): Promise<TesseraClient>;
  /** Registers and signs in a new user; returns the client and its token pair. */
  userClient(email?: string): Promise<{
    client: TesseraClient;
    email: string;
    password: string;
    accessToken: string;
    refreshToken: string;
    id: string;
  }>;
  close(): Promise<void>;
}

let counter = 0;

/**
 * Boots the real API (migrations included) on a new `*_test` database, listening on a free
 * loopback port. Every suite gets its own database, so suites can run in parallel.
 */
export async function startApi(
  env: Record<string, string> = {},
  options: {
    /** Rewrites the app's DATABASE_URL (e.g. through a TcpProxy). */ databaseUrl?: (url: string) => string;
    /** A database made elsewhere (another server, another harness's) instead of a new one: its maker drops it. */
    db?: TestDatabase;
  } = {},
): Promise<ApiHarness> {
  const db = options.db ?? (await createTestDatabase('tessera_e2e', { migrated: true }));
  const dataDir = await mkdtemp(join(tmpdir(), 'tessera-e2e-'));
  const storageRoot = join(dataDir, 'storage');
  const uploadTmpDir = join(dataDir, 'tmp');
  const config = loadConfig({
    STORAGE_LOCAL_ROOT: storageRoot,
    UPLOAD_TMP_DIR: uploadTmpDir,
    TILING_WORK_DIR: join(dataDir, 'tiling'),
    UPLOAD_RESUMABLE_DIR: join(dataDir, 'resumable'),
    NODE_ENV: 'test',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    DATABASE_URL: options.databaseUrl ? options.databaseUrl(db.url) : db.url,
    DATABASE_POOL_MAX: '4',
    JWT_SECRET,
    ADMIN_EMAIL,
    ADMIN_PASSWORD,
    THROTTLE_AUTH_LIMIT: '1000',
    THROTTLE_ACCOUNT_LIMIT: '1000',
    // No renditions on arrival unless a suite is about them (it names the presets): two
    // renders per upload in every suite were a large share of the whole run's CPU.
    RENDITION_PRESETS: 'none',
    ...env,
  });
  let app: NestExpressApplication | undefined;
  try {
    app = await createApiApp(config);
    await app.listen(0, '127.0.0.1');
  } catch (error) {
    await app?.close().catch(() => undefined);
    await db.drop();
    await rm(dataDir, { recursive: true, force: true });
    throw error;
  }
  const address = app.getHttpServer().address() as { port: number };
  const baseUrl = `http://127.0.0.1:${address.port}`;
  const client = () => createTesseraClient({ baseUrl });

  const signIn = async (email: string, password: string) => {
    const c = client();
    const { data, error } = await c.POST('/v1/auth/login', { body: { email, password } });
    if (!data) throw new Error(`login failed: ${JSON.stringify(error)}`);
    c.setAccessToken(data.accessToken);
    return { client: c, ...data };
  };

  return {
    app,
    config,
    db,
    baseUrl,
    storageRoot,
    uploadTmpDir,
    workerEnv: {
      ...env,
      NODE_ENV: 'test',
      DATABASE_URL: config.DATABASE_URL,
      STORAGE_LOCAL_ROOT: storageRoot,
      UPLOAD_TMP_DIR: uploadTmpDir,
      TILING_WORK_DIR: join(dataDir, 'tiling'),
    },
    client,
    adminClient: async () => (await signIn(ADMIN_EMAIL, ADMIN_PASSWORD)).client,
    userClient: async (email = `user${++counter}-${Date.now()}@example.com`) => {
      const password = 'user password 123';
      const { data, error } = await client().POST('/v1/auth/register', { body: { email, password } });
      if (!data) throw new Error(`register failed: ${JSON.stringify(error)}`);
      return { ...(await signIn(email, password)), email, password, id: data.id };
    },
    close: async () => {
      await app.close();
      if (!options.db) await db.drop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** Raw fetch against the harness (for what the typed client cannot send: bad JSON, odd headers). */
export async function rawFetch(baseUrl: string, path: string, init: RequestInit = {}) {
  const response = await fetch(`${baseUrl}${path}`, init);
  const text = await response.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    /* not JSON */
  }
  return { status: response.status, headers: response.headers, body: body as Record<string, unknown> };
}

/**
 * A JSON call as someone's bearer (`token`, else whoever `defaultToken` names now), read as
 * rawFetch reads it: `call('/v1/x', { method: 'POST', json: {...} })`.
 */
export const bearerCaller =
  (baseUrl: () => string, defaultToken: () => string) =>
  (path: string, init: { method?: string; json?: unknown; token?: string } = {}) =>
    rawFetch(baseUrl(), path, {
      method: init.method ?? 'GET',
      headers: {
        authorization: `Bearer ${init.token ?? defaultToken()}`,
        ...(init.json === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: init.json === undefined ? undefined : JSON.stringify(init.json),
    });

export const PROBLEM_KEYS = ['type', 'title', 'status', 'detail', 'instance', 'code'];

/** Asserts an RFC 9457 problem with the given status and code. */
export function expectProblem(
  response: { status: number; headers: Headers; body: unknown },
  status: number,
  code: string,
): Record<string, unknown> {
  expect(response.status).toBe(status);
  expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  // Set by the API in tests when an operation answers with a code its OpenAPI document does
  // not list: every problem a test provokes also checks the contract.
  expect(response.headers.get('x-undocumented-problem-code')).toBeNull();
  const body = response.body as Record<string, unknown>;
  for (const key of PROBLEM_KEYS) expect(body).toHaveProperty(key);
  expect(body).toMatchObject({ status, code });
  return body;
}

/** Adapts an openapi-fetch result for expectProblem. */
export const fromClient = (result: { response: Response; error?: unknown; data?: unknown }) => ({
  status: result.response.status,
  headers: result.response.headers,
  body: result.error ?? result.data,
});
