import { type ChildProcess, fork } from 'node:child_process';
import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Injectable, Logger, type OnApplicationShutdown, type OnModuleDestroy } from '@nestjs/common';
import { AppConfig } from '#config';
import {
  RenderFailedError,
  type RenderedFile,
  type RenderOptions,
  RenderTimedOutError,
  RenditionRenderer,
  type RenderSource,
  type RenditionSpec,
} from '#renditions';
import type { RenderReplyMessage, RenderRequestMessage } from './render-child.js';
import { prepareRenderInput, type RenderInput, SharpRenderError, type SharpRenderLimits } from './sharp-render.js';

/** Grace for an isolated render to stop by its own timeout before it is killed. */
const KILL_GRACE_MS = 5_000;
/** What shutdown leaves a killed render's job to record its failure before the queue stops. */
const SHUTDOWN_MARGIN_SECONDS = 3;

/**
 * RenditionRenderer on sharp. Every render runs in a child process (`render-child.ts`),
 * because libvips cannot be interrupted inside the process that started it and some encoders
 * (AVIF) do not honour libvips' own timeout: a child can be killed, by the client going away
 * (`signal`), by the timeout, and by shutdown. The parent only prepares a file the child can
 * read: the original as it is, a stream copied to disk, or a pyramid level stitched to raw
 * pixels (bounded by the caller).
 */
@Injectable()
export class SharpRenditionRenderer extends RenditionRenderer implements OnModuleDestroy, OnApplicationShutdown {
  private readonly logger = new Logger(SharpRenditionRenderer.name);
  /** Renders under way: each one's way to stop it. */
  private readonly running = new Set<(reason: Error) => void>();
  private shutdownTimer?: NodeJS.Timeout;
  /** Grace for a render past its timeout to stop by itself before it is killed. */
  protected readonly killGraceMs: number = KILL_GRACE_MS;

  constructor(private readonly config: AppConfig) {
    super();
  }

  async render(
    source: RenderSource,
    spec: RenditionSpec,
    out: string,
    options: RenderOptions = {},
  ): Promise<RenderedFile> {
    const limits: SharpRenderLimits = {
      maxInputPixels: this.config.IMAGE_MAX_PIXELS,
      timeoutSeconds: options.timeoutSeconds ?? this.config.RENDITION_TIMEOUT_SECONDS,
    };
    let scratch: string[] = [];
    try {
      const prepared = await prepareRenderInput(source, spec, out, limits, options.signal);
      scratch = prepared.scratch;
      return await this.renderIsolated(prepared.input, spec, out, limits, options.signal);
    } catch (error) {
      if (!(error instanceof SharpRenderError)) throw error;
      if (error.kind === 'image') throw new RenderFailedError(error.message);
      if (error.kind === 'timeout') throw new RenderTimedOutError(limits.timeoutSeconds);
      throw error;
    } finally {
      await Promise.all(scratch.map((path) => rm(path, { force: true })));
    }
  }

  /**
   * Shutdown has begun: renders still running shortly before the grace ends are killed, so
   * that their jobs fail (and are retried elsewhere) while the queue can still record it.
   */
  onModuleDestroy(): void {
    const seconds = Math.max(0, this.config.SHUTDOWN_GRACE_SECONDS - SHUTDOWN_MARGIN_SECONDS);
    this.shutdownTimer = setTimeout(() => this.stopAll('shutdown'), seconds * 1000).unref();
  }

  onApplicationShutdown(): void {
    clearTimeout(this.shutdownTimer);
    this.stopAll('shutdown');
  }

  private stopAll(why: string): void {
    if (this.running.size > 0) this.logger.warn(`Stopping ${this.running.size} render(s): ${why}`);
    for (const stop of [...this.running]) stop(new SharpRenderError('machine', `the render was stopped (${why})`));
  }

  private renderIsolated(
    input: RenderInput,
    spec: RenditionSpec,
    out: string,
    limits: SharpRenderLimits,
    signal?: AbortSignal,
  ): Promise<RenderedFile> {
    signal?.throwIfAborted();
    return new Promise<RenderedFile>((resolve, reject) => {
      const child: ChildProcess = fork(RENDER_CHILD, [], {
        stdio: ['ignore', 'ignore', 'ignore', 'ipc'],
        serialization: 'json',
        execArgv: [],
      });
      let settled = false;
      const finish = (error: Error | null, file?: RenderedFile) => {
        if (settled) return;
        settled = true;
        this.running.delete(stop);
        clearTimeout(deadline);
        signal?.removeEventListener('abort', abort);
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
        if (error) void rm(out, { force: true }).finally(() => reject(error));
        else resolve(file!);
      };
      const stop = (reason: Error) => finish(reason);
      this.running.add(stop);
      const abort = () => finish(signal!.reason instanceof Error ? signal!.reason : new Error('aborted'));
      signal?.addEventListener('abort', abort, { once: true });
      const deadline = setTimeout(
        () => finish(new SharpRenderError('timeout', 'the render did not stop by its timeout')),
        limits.timeoutSeconds * 1000 + this.killGraceMs,
      );
      child.once('message', (reply: RenderReplyMessage) =>
        'ok' in reply ? finish(null, reply.ok) : finish(new SharpRenderError(reply.error.kind, reply.error.message)),
      );
      child.once('error', (error) => finish(new SharpRenderError('machine', error.message)));
      child.once('close', (code, killedBy) =>
        // A decoder that crashed on this input (a signal, or an exit without a reply).
        finish(new SharpRenderError('image', `the decoder stopped (${killedBy ?? `exit ${code}`})`)),
      );
      const request: RenderRequestMessage = { input, spec, out, limits, threads: this.threads() };
      child.send(request);
    });
  }

  private threads(): number {
    return this.config.IMAGE_THREADS > 0 ? this.config.IMAGE_THREADS : availableParallelism();
  }
}

/**
 * The compiled child script beside this module; when this module runs from TypeScript
 * sources (jest), the one `npm run build` put under dist/.
 */
const RENDER_CHILD = (() => {
  const here = dirname(fileURLToPath(import.meta.url));
  const sibling = join(here, 'render-child.js');
  return existsSync(sibling)
    ? sibling
    : join(here, '..', '..', '..', 'dist', 'libs', 'imaging', 'src', 'render-child.js');
})();
