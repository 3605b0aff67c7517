import { rm } from 'node:fs/promises';
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
import { childScript, imageThreads, runIsolated } from './isolated-process.js';
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

  private async renderIsolated(
    input: RenderInput,
    spec: RenditionSpec,
    out: string,
    limits: SharpRenderLimits,
    signal?: AbortSignal,
  ): Promise<RenderedFile> {
    const request: RenderRequestMessage = { input, spec, out, limits, threads: imageThreads(this.config) };
    const run = runIsolated<RenderRequestMessage, RenderReplyMessage>(RENDER_CHILD, request, {
      deadlineMs: limits.timeoutSeconds * 1000 + this.killGraceMs,
      signal,
      failures: {
        deadline: () => new SharpRenderError('timeout', 'the render did not stop by its timeout'),
        // A decoder that crashed on this input (a signal, or an exit without a reply).
        exited: (code, killedBy) =>
          new SharpRenderError('image', `the decoder stopped (${killedBy ?? `exit ${code}`})`),
        failed: (error) => new SharpRenderError('machine', error.message),
      },
    });
    this.running.add(run.stop);
    try {
      const reply = await run.result;
      if ('ok' in reply) return reply.ok;
      throw new SharpRenderError(reply.error.kind, reply.error.message);
    } catch (error) {
      await rm(out, { force: true });
      throw error;
    } finally {
      this.running.delete(run.stop);
    }
  }
}

const RENDER_CHILD = childScript('render-child');
