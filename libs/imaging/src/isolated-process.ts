import { type ChildProcess, fork } from 'node:child_process';
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AppConfig } from '#config';

/** How an isolated run ends badly, in the words of its caller. */
export interface IsolatedFailures {
  /** It ran past its deadline (it was killed). */
  deadline(): Error;
  /** It exited without answering: killed, or crashed (a decoder on hostile input). */
  exited(code: number | null, signal: NodeJS.Signals | null): Error;
  /** It could not be started. */
  failed(error: Error): Error;
}

export interface IsolatedRun<Reply> {
  /** Its one reply; rejects (the process killed) on the deadline, the signal, `stop` or a silent exit. */
  result: Promise<Reply>;
  /** Ends it now with `reason` (shutdown, a client gone). */
  stop: (reason: Error) => void;
  /** The child's process id (for a test's `kill -9`). */
  pid: number | undefined;
}

/**
 * Runs `script` (a compiled module of libs/imaging) in a child process of its own, sends it
 * `request` as its one message and waits for its one reply. libvips cannot be interrupted
 * inside the process that started it, and what it allocates stays with that process: a
 * child can be killed, and gives everything back when it exits. The child is always
 * killed once the run settles. JSON over IPC; no stdio.
 */
export function runIsolated<Request, Reply>(
  script: string,
  request: Request,
  options: { deadlineMs: number; signal?: AbortSignal; failures: IsolatedFailures },
): IsolatedRun<Reply> {
  options.signal?.throwIfAborted();
  const child: ChildProcess = fork(script, [], {
    stdio: ['ignore', 'ignore', 'ignore', 'ipc'],
    serialization: 'json',
    execArgv: [],
    // Two malloc arenas, not one per libvips thread, unless the environment says otherwise:
    // a 200 MP cut's peak went from 294-310 to 276-291 MiB (anonymous 165-184 to 153-159) at
    // the same speed (bench:tiling, five runs before, six after).
    env: { MALLOC_ARENA_MAX: '2', ...process.env },
  });
  let stop!: (reason: Error) => void;
  const result = new Promise<Reply>((resolve, reject) => {
    let settled = false;
    const finish = (error: Error | null, reply?: Reply) => {
      if (settled) return;
      settled = true;
      clearTimeout(deadline);
      options.signal?.removeEventListener('abort', abort);
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      if (error) reject(error);
      else resolve(reply!);
    };
    stop = (reason) => finish(reason);
    const abort = () => finish(options.signal!.reason instanceof Error ? options.signal!.reason : new Error('aborted'));
    options.signal?.addEventListener('abort', abort, { once: true });
    const deadline = setTimeout(() => finish(options.failures.deadline()), options.deadlineMs);
    child.once('message', (reply: Reply) => finish(null, reply));
    child.once('error', (error) => finish(options.failures.failed(error)));
    child.once('close', (code, signal) => finish(options.failures.exited(code, signal)));
    child.send(request as object);
  });
  return { result, stop, pid: child.pid };
}

/**
 * A child script of this module's folder, compiled: beside this module when it runs from
 * dist/, else (jest, from TypeScript sources) the one `npm run build` put under dist/.
 */
export function childScript(name: string): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const sibling = join(here, `${name}.js`);
  return existsSync(sibling) ? sibling : join(here, '..', '..', '..', 'dist', 'libs', 'imaging', 'src', `${name}.js`);
}

/**
 * libvips threads for a cut or a render: IMAGE_THREADS, else one per core (libvips' and
 * sharp's own default). Each thread holds a strip of the image's full width: two per core
 * cut a 200 MP pyramid ~10% faster for ~36 MiB more (docs/benchmarks.md, Tiling).
 */
export function imageThreads(config: Pick<AppConfig, 'IMAGE_THREADS'>): number {
  return config.IMAGE_THREADS > 0 ? config.IMAGE_THREADS : availableParallelism();
}
