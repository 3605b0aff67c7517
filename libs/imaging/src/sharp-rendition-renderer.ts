import { fork } from 'node:child_process';
import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Injectable } from '@nestjs/common';
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
import { renderWithSharp, SharpRenderError, type SharpRenderLimits } from './sharp-render.js';

/** Grace for an isolated render to stop by its own timeout before it is killed. */
const KILL_GRACE_MS = 5_000;

/**
 * RenditionRenderer on sharp. In this process for jobs; in a child process when the caller
 * passes an abort signal (a request whose client may go away), so that aborting really
 * stops the work.
 */
@Injectable()
export class SharpRenditionRenderer extends RenditionRenderer {
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
    try {
      if (options.signal && 'path' in source)
        return await this.renderIsolated(source.path, spec, out, limits, options.signal);
      return await renderWithSharp(source, spec, out, limits);
    } catch (error) {
      if (!(error instanceof SharpRenderError)) throw error;
      if (error.kind === 'image') throw new RenderFailedError(error.message);
      if (error.kind === 'timeout') throw new RenderTimedOutError(limits.timeoutSeconds);
      throw error;
    }
  }

  private renderIsolated(
    path: string,
    spec: RenditionSpec,
    out: string,
    limits: SharpRenderLimits,
    signal: AbortSignal,
  ): Promise<RenderedFile> {
    signal.throwIfAborted();
    return new Promise<RenderedFile>((resolve, reject) => {
      const child = fork(RENDER_CHILD, [], {
        stdio: ['ignore', 'ignore', 'ignore', 'ipc'],
        serialization: 'json',
        execArgv: [],
      });
      let settled = false;
      const finish = (error: Error | null, file?: RenderedFile) => {
        if (settled) return;
        settled = true;
        clearTimeout(deadline);
        signal.removeEventListener('abort', abort);
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
        if (error) void rm(out, { force: true }).finally(() => reject(error));
        else resolve(file!);
      };
      const abort = () => finish(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
      signal.addEventListener('abort', abort, { once: true });
      const deadline = setTimeout(
        () => finish(new SharpRenderError('timeout', 'the render did not stop by its timeout')),
        limits.timeoutSeconds * 1000 + KILL_GRACE_MS,
      );
      child.once('message', (reply: RenderReplyMessage) =>
        'ok' in reply ? finish(null, reply.ok) : finish(new SharpRenderError(reply.error.kind, reply.error.message)),
      );
      child.once('error', (error) => finish(new SharpRenderError('machine', error.message)));
      child.once('close', (code, killedBy) =>
        // A decoder that crashed on this input (a signal, or an exit without a reply).
        finish(new SharpRenderError('image', `the decoder stopped (${killedBy ?? `exit ${code}`})`)),
      );
      const request: RenderRequestMessage = { path, spec, out, limits, threads: this.threads() };
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
