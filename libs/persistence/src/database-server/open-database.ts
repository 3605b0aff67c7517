import pg from 'pg';
import type { Logger } from 'pino';
import { AppConfig } from '#config';
import { EmbeddedPostgresError, EmbeddedPostgresServer } from './embedded-postgres-server.js';

/** Name of the application database, on the embedded server. */
const EMBEDDED_DATABASE = 'tessera';

/** The database an app process runs on, and how to let go of it when the process stops. */
export interface OpenedDatabase {
  /** The configuration with DATABASE_URL pointing at the database actually used. */
  config: AppConfig;
  /** Stops the embedded server if this process started it; nothing for an external one. */
  close(): Promise<void>;
}

/** The server could not be reached (or refused us) in time: the process should exit. */
export class DatabaseUnreachableError extends Error {
  override readonly name = 'DatabaseUnreachableError';
}

/**
 * Before anything else touches the database: with DATABASE_URL empty, start (or share) the
 * embedded PostgreSQL; otherwise wait for the external server to answer, retrying with
 * backoff for DATABASE_CONNECT_TIMEOUT_SECONDS (compose starts it at the same time).
 * Logs one line saying which database is used.
 */
export async function openDatabase(config: AppConfig, log: Logger): Promise<OpenedDatabase> {
  const logger = log.child({ context: 'Database' });
  if (!config.DATABASE_URL) {
    const server = await EmbeddedPostgresServer.open({
      dir: config.DATABASE_EMBEDDED_DIR,
      port: config.DATABASE_EMBEDDED_PORT,
      systemDir: config.DATABASE_EMBEDDED_SYSTEM_DIR,
      log,
    });
    await server.ensureDatabase(EMBEDDED_DATABASE);
    const whose = server.owned ? 'run by this process' : `shared with process ${server.ownerPid}`;
    logger.info(
      `Database: embedded PostgreSQL in ${config.DATABASE_EMBEDDED_DIR} on 127.0.0.1:${server.port} (${whose}); ` +
        'one machine only: set DATABASE_URL to use an external PostgreSQL server.',
    );
    return {
      config: AppConfig.with(config, { DATABASE_URL: server.url(EMBEDDED_DATABASE) }),
      close: () => server.close(),
    };
  }
  await waitForServer(config.DATABASE_URL, config.DATABASE_CONNECT_TIMEOUT_SECONDS, logger);
  logger.info(`Database: PostgreSQL at ${redactUrl(config.DATABASE_URL)} (DATABASE_URL)`);
  return { config, close: async () => undefined };
}

/** A connection URL without its password, for messages. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return 'postgres://(unparsable)';
  }
}

/** SQLSTATEs that retrying will not cure: wrong password, unknown role, no permission. */
const FINAL_SQLSTATES = new Set(['28P01', '28000', '42501']);

async function waitForServer(url: string, timeoutSeconds: number, log: Logger): Promise<void> {
  const deadline = Date.now() + timeoutSeconds * 1000;
  let delayMs = 500;
  let warned = false;
  for (;;) {
    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
    client.on('error', () => undefined);
    try {
      await client.connect();
      await client.end();
      return;
    } catch (error) {
      await client.end().catch(() => undefined);
      const { code, message } = error as { code?: string; message: string };
      // The database itself may be missing: the server answered, and migrations create it.
      if (code === '3D000') return;
      const reason = code && !message.includes(code) ? `${message} (${code})` : message;
      if (code && FINAL_SQLSTATES.has(code)) {
        throw new DatabaseUnreachableError(
          `PostgreSQL at ${redactUrl(url)} (DATABASE_URL) refused the connection: ${reason}`,
        );
      }
      if (Date.now() + delayMs > deadline) {
        throw new DatabaseUnreachableError(
          `Cannot reach PostgreSQL at ${redactUrl(url)} (DATABASE_URL) after ${timeoutSeconds} s: ${reason}. ` +
            'Start it, fix DATABASE_URL, or leave DATABASE_URL empty to use the embedded server.',
        );
      }
      if (!warned) {
        log.warn(
          `PostgreSQL at ${redactUrl(url)} (DATABASE_URL) is not reachable yet (${reason}); retrying for up to ${timeoutSeconds} s`,
        );
        warned = true;
      }
      await new Promise((done) => setTimeout(done, delayMs));
      delayMs = Math.min(delayMs * 2, 5_000);
    }
  }
}

/** EX_UNAVAILABLE: the exit code of a process that could not get its database. */
export const DATABASE_UNAVAILABLE_EXIT_CODE = 69;

/**
 * openDatabase for an entry point: on failure, one log line saying why, then exit 69.
 * Anything else (a bug) is thrown as usual.
 */
export async function openDatabaseOrExit(config: AppConfig, log: Logger): Promise<OpenedDatabase> {
  try {
    return await openDatabase(config, log);
  } catch (error) {
    if (!(error instanceof DatabaseUnreachableError || error instanceof EmbeddedPostgresError)) throw error;
    log.fatal({ context: 'Database' }, error.message);
    log.flush();
    process.exit(DATABASE_UNAVAILABLE_EXIT_CODE);
  }
}
