import { mkdtemp, readdir, rm } from 'node:fs/promises';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { addMissingOperations, type KoaMiddleware, type S3rverStore } from './s3rver-operations.js';
import { bindWithRetry } from './stable-port.js';

interface S3rverInstance {
  run(): Promise<{ port: number }>;
  close(): Promise<void>;
  httpServer?: Server;
  logger: { close(): void };
  middleware: KoaMiddleware[];
  store: S3rverStore;
}

/**
 * A real S3-compatible server (s3rver) on loopback for adapter and e2e tests. `stop()` and
 * `start()` take it down and bring it back on the same port with the same data (outages).
 */
export interface TestS3Server {
  endpoint: string;
  port: number;
  /** Env for an app using it (bucket created at start-up). */
  env(bucket: string): Record<string, string>;
  stop(): Promise<void>;
  start(): Promise<void>;
  dispose(): Promise<void>;
  /** How many multipart uploads of `bucket` hold parts now (begun, neither completed nor aborted). */
  pendingMultipartUploads(bucket: string): Promise<number>;
  /** Every request received since the start (`GET /bucket/key`), in order of arrival. */
  readonly requests: readonly string[];
}

export async function startS3Server(): Promise<TestS3Server> {
  // Loaded here, not at the top: every suite imports #testing, few need S3.
  // @ts-expect-error s3rver ships no types
  const { default: S3rver } = (await import('s3rver')) as { default: new (options: object) => S3rverInstance };
  const directory = await mkdtemp(join(tmpdir(), 'tessera-s3-'));
  let port: number | undefined;
  let server: S3rverInstance | undefined;
  const requests: string[] = [];
  const start = async () => {
    // The first start picks a stable port; restarts reuse it (retrying while it frees up).
    ({ port } = await bindWithRetry(async (candidate) => {
      const instance = new S3rver({ port: candidate, address: '127.0.0.1', silent: true, directory });
      addMissingOperations(instance);
      const record: KoaMiddleware = (ctx, next) => {
        requests.push(`${ctx.method} ${ctx.path}`);
        return next();
      };
      instance.middleware.unshift(record);
      await instance.run();
      server = instance;
    }, port));
  };
  const stop = async () => {
    if (!server) return;
    // The handlers of requests cut below still run to their end and log: the (silent) logger
    // stays open for them instead of warning that it has no transport.
    server.logger.close = () => undefined;
    const closing = server.close();
    // An outage, not a drain: requests under way and kept-alive connections end now, as when
    // a server goes down (close() alone waits for them: 15 s on a loaded machine).
    server.httpServer?.closeAllConnections();
    await closing;
    server = undefined;
  };
  await start();
  return {
    get endpoint() {
      return `http://127.0.0.1:${port}`;
    },
    get port() {
      return port!;
    },
    env: (bucket: string) => ({
      STORAGE_DRIVER: 's3',
      S3_BUCKET: bucket,
      S3_ENDPOINT: `http://127.0.0.1:${port}`,
      S3_ACCESS_KEY_ID: 'S3RVER',
      S3_SECRET_ACCESS_KEY: 'S3RVER',
      S3_FORCE_PATH_STYLE: 'true',
      S3_CREATE_BUCKET: 'true',
    }),
    stop,
    start,
    requests,
    pendingMultipartUploads: async (bucket: string) =>
      (await readdir(server!.store.getResourcePath(bucket, undefined, 'uploads')).catch(() => [])).length,
    dispose: async () => {
      await stop();
      await rm(directory, { recursive: true, force: true });
    },
  };
}
