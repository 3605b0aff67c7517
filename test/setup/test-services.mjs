// @ts-check
/*
 * The services a test run needs, found without any system set-up (used by the jest global
 * setup and teardown, which jest loads outside its module system: plain ESM, and the
 * embedded server from the build, which every test script makes first):
 * - PostgreSQL: TEST_DATABASE_URL when set; else a server on 127.0.0.1:5432 that user
 *   `postgres` can reach without a password; else one embedded server for the whole run.
 * - Chromium: CHROMIUM_PATH when set; else /usr/bin/chromium; else the npm package
 *   @sparticuz/chromium, unpacked into the temp directory (with its own libraries).
 * - A migrated database on that server, made for the run, which the suites' apps start on
 *   copies of (createTestDatabase with `migrated`): TEST_TEMPLATE_DATABASE.
 * Workers inherit what is chosen through TEST_DATABASE_URL, TEST_TEMPLATE_DATABASE,
 * CHROMIUM_PATH and TEST_CHROMIUM_LIBRARY_PATH.
 */
import { existsSync } from 'node:fs';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import pg from 'pg';
import pino from 'pino';

const LOCAL_SERVER = 'postgres://postgres@127.0.0.1:5432/postgres';

/** @type {{ server: { close(): Promise<void> }, dir: string } | undefined} */
let embedded;

export async function chooseTestDatabaseServer() {
  if (process.env.TEST_DATABASE_URL) return report('PostgreSQL: TEST_DATABASE_URL');
  if (await answers(LOCAL_SERVER)) {
    process.env.TEST_DATABASE_URL = LOCAL_SERVER;
    return report('PostgreSQL: the server on 127.0.0.1:5432');
  }
  const built = new URL('../../dist/libs/persistence/src/database-server/embedded-postgres-server.js', import.meta.url);
  if (!existsSync(built)) throw new Error('dist/ is missing: run `npm run build` first (the npm test scripts do).');
  const { EmbeddedPostgresServer } = await import(built.href);
  const dir = await mkdtemp(join(tmpdir(), 'tessera-test-pg-'));
  // The server runs as user `postgres` when the tests run as root: it must enter the directory.
  await chmod(dir, 0o755);
  const server = await EmbeddedPostgresServer.open({
    dir: join(dir, 'data'),
    port: 0,
    log: pino({ level: process.env.TEST_LOG_LEVEL ?? 'warn' }),
    // Throwaway data: durability costs time and buys nothing here.
    settings: { fsync: 'off', synchronous_commit: 'off', full_page_writes: 'off', max_connections: '300' },
  });
  embedded = { server, dir };
  process.env.TEST_DATABASE_URL = server.url('postgres');
  report(`PostgreSQL: an embedded server for this run on 127.0.0.1:${server.port}`);
}

export async function stopTestDatabaseServer() {
  if (!embedded) return;
  await embedded.server.close();
  await rm(embedded.dir, { recursive: true, force: true });
  embedded = undefined;
}

/** @type {string | undefined} */
let template;

/**
 * Runs every migration once, on a database of its own, for the suites' apps to start on
 * copies of it (about 0.1 s a copy, where migrating takes about 1 s; over a run, a minute).
 */
export async function makeMigratedTemplate() {
  const built = new URL('../../dist/libs/persistence/src/database-migrations.js', import.meta.url);
  if (!existsSync(built)) throw new Error('dist/ is missing: run `npm run build` first (the npm test scripts do).');
  const { migrateDatabase } = await import(built.href);
  // The migrator tells each migration through Nest's logger: not in the run's output.
  const { Logger } = await import('@nestjs/common');
  Logger.overrideLogger(false);
  const name = `tessera_template_${process.pid}_${Date.now().toString(36)}_test`;
  await onServer((client) => client.query(`create database "${name}"`));
  template = name;
  const url = new URL(/** @type {string} */ (process.env.TEST_DATABASE_URL));
  url.pathname = `/${name}`;
  await migrateDatabase({ DATABASE_URL: url.toString(), DATABASE_POOL_MAX: 4, NODE_ENV: 'test' });
  process.env.TEST_TEMPLATE_DATABASE = name;
  report(`Migrated template: ${name}`);
}

export async function dropMigratedTemplate() {
  if (!template) return;
  const name = template;
  template = undefined;
  await onServer((client) => client.query(`drop database if exists "${name}" with (force)`));
}

/**
 * @template T
 * @param {(client: pg.Client) => Promise<T>} work
 */
async function onServer(work) {
  const client = new pg.Client({ connectionString: process.env.TEST_DATABASE_URL });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

export async function chooseTestChromium() {
  if (process.env.CHROMIUM_PATH) return report('Chromium: CHROMIUM_PATH');
  if (existsSync('/usr/bin/chromium')) {
    process.env.CHROMIUM_PATH = '/usr/bin/chromium';
    return report('Chromium: /usr/bin/chromium');
  }
  const { default: chromium, inflate } = await import('@sparticuz/chromium');
  process.env.CHROMIUM_PATH = await chromium.executablePath();
  if (process.platform === 'linux' && !existsSync('/etc/system-release')) {
    // Built for Amazon Linux: elsewhere (Debian, Ubuntu) it needs the libraries it ships.
    const bin = join(dirname(createRequire(import.meta.url).resolve('@sparticuz/chromium')), '..', 'bin');
    await inflate(join(bin, 'al2023.tar.br'));
    process.env.TEST_CHROMIUM_LIBRARY_PATH = join(tmpdir(), 'al2023', 'lib');
  }
  report(`Chromium: @sparticuz/chromium, unpacked at ${process.env.CHROMIUM_PATH}`);
}

/** @param {string} url */
async function answers(url) {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2_000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.end();
    return true;
  } catch {
    await client.end().catch(() => undefined);
    return false;
  }
}

/** @param {string} line */
function report(line) {
  process.stdout.write(`[test services] ${line}\n`);
}
