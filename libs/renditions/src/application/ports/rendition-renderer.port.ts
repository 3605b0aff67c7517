import type { Readable } from 'node:stream';
import type { ReadablePyramid } from '#shared-kernel';
import type { RenditionSpec } from '../../domain/rendition-spec.js';

/** What a rendition is made from: the original (a local file or a stream), or a ready pyramid of it. */
export type RenderSource = { path: string } | { stream: Readable } | { pyramid: ReadablePyramid };

export interface RenderedFile {
  bytes: number;
  sha256: string;
}

export interface RenderOptions {
  /** The longest the work may take (default RENDITION_TIMEOUT_SECONDS): then RenderTimedOutError. */
  timeoutSeconds?: number;
  /**
   * Aborting stops the work for real (a request whose client goes away). Renders run where
   * they can be stopped (a child process), by this signal, by the timeout and by shutdown,
   * which also keeps a decoder fed hostile input out of the server process.
   */
  signal?: AbortSignal;
}

/**
 * Makes renditions: oriented upright (EXIF), in sRGB, resized keeping the aspect ratio to
 * exactly the spec's size, encoded, with no metadata (no EXIF, no GPS). Never decodes a huge
 * original whole for a small output (shrink-on-load, or a pyramid level).
 */
export abstract class RenditionRenderer {
  /**
   * Writes the rendition of `source` into the file `out` (removed again on failure). Throws
   * RenderFailedError for an image that cannot be decoded, RenderTimedOutError past the
   * timeout, the signal's reason once aborted; other errors (storage, disk) are transient.
   */
  abstract render(
    source: RenderSource,
    spec: RenditionSpec,
    out: string,
    options?: RenderOptions,
  ): Promise<RenderedFile>;
}
