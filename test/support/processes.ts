import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';

/** The built entry points (npm test builds dist/ first), as absolute paths. */
export const API = resolve('dist/apps/api/src/main.js');
export const WORKER = resolve('dist/apps/worker/src/main.js');
export const MIGRATE = resolve('dist/libs/persistence/src/cli/migrate.js');
export const ADMIN_CLI = resolve('dist/apps/api/src/cli/admin.js');
export const INTEGRITY_CLI = resolve('dist/apps/api/src/cli/integrity.js');

export function assertBuilt(): void {
  if (![API, WORKER, MIGRATE, ADMIN_CLI, INTEGRITY_CLI].every((file) => existsSync(file))) {
    throw new Error('dist/ is missing: run `npm run build` first (npm test does).');
  }
}

export interface Run {
  child: ChildProcess;
  output: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * Runs a built script as a real process with only the given environment (no developer
 * .env leaks in), in `cwd` (default: the repository).
 */
export function run(
  script: string,
  env: Record<string, string>,
  options: { cwd?: string; stdin?: string; args?: string[]; command?: [string, ...string[]] } = {},
): Run {
  // `command`: run it instead of `node script` (a wrapper that execs the script itself).
  const [file, ...args] = options.command ?? [process.execPath, script, ...(options.args ?? [])];
  const child = spawn(file, args, {
    env: { PATH: process.env.PATH ?? '', NODE_ENV: 'test', LOG_LEVEL: 'info', ...env },
    cwd: options.cwd,
    stdio: [options.stdin === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
  });
  if (options.stdin !== undefined) child.stdin!.end(options.stdin);
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) =>
    child.on('exit', (code, signal) => done({ code, signal })),
  );
  return { child, output: () => output, exited };
}

export async function waitFor(
  r: Run,
  text: string | RegExp | ((output: string) => boolean),
  timeoutMs = 60_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const found = () =>
    typeof text === 'string'
      ? r.output().includes(text)
      : typeof text === 'function'
        ? text(r.output())
        : text.test(r.output());
  while (!found()) {
    if (r.child.exitCode !== null || r.child.signalCode !== null) {
      throw new Error(`exited early (${r.child.exitCode ?? r.child.signalCode}):\n${r.output()}`);
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for "${String(text)}":\n${r.output()}`);
    await new Promise((done) => setTimeout(done, 50));
  }
}

/** The port of a started API, from its "listening on" line. */
export function listeningPort(r: Run): number {
  const port = /listening on http:\/\/[^:]+:(\d+)/.exec(r.output())?.[1];
  if (!port) throw new Error(`no "listening on" line:\n${r.output()}`);
  return Number(port);
}
