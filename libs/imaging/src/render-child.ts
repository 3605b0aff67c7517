/*
 * An isolated render (see SharpRenditionRenderer): a child process that makes one rendition
 * and exits. Its parent kills it when the client goes away, the time is up or the service
 * shuts down: libvips cannot be interrupted inside the process that started it (and AVIF's
 * encoder ignores its timeout), a process can. A decoder crashing on hostile input takes
 * down only this process.
 */
import sharp from 'sharp';
import type { RenditionSpec } from '#renditions/domain';
import { type RenderInput, renderWithSharp, SharpRenderError, type SharpRenderLimits } from './sharp-render.js';

export interface RenderRequestMessage {
  input: RenderInput;
  spec: RenditionSpec;
  out: string;
  limits: SharpRenderLimits;
  threads: number;
}

export type RenderReplyMessage =
  { ok: { bytes: number; sha256: string } } | { error: { kind: SharpRenderError['kind']; message: string } };

process.once('message', (message: RenderRequestMessage) => {
  sharp.concurrency(message.threads);
  void renderWithSharp(message.input, message.spec, message.out, message.limits)
    .then(
      (ok): RenderReplyMessage => ({ ok }),
      (error: unknown): RenderReplyMessage => ({
        error:
          error instanceof SharpRenderError
            ? { kind: error.kind, message: error.message }
            : { kind: 'machine', message: String(error) },
      }),
    )
    .then((reply) => process.send!(reply, () => process.disconnect()));
});
