import type { Readable } from 'node:stream';
import { Injectable } from '@nestjs/common';
import {
  EmptyUploadError,
  type ImageFormat,
  ImageProcessor,
  sniffImageFormat,
  sniffUndecodableFormat,
  UnsupportedMediaTypeError,
  UploadStaging,
  UploadTooLargeError,
} from '#panoramas';
import {
  normaliseSpec,
  RENDITION_CONTENT_TYPES,
  type RenditionRequest,
  type RenditionSpec,
} from '../../domain/rendition-spec.js';
import { Semaphore } from '#shared-kernel';
import { RenditionRenderer } from '../ports/rendition-renderer.port.js';
import { RenditionsSettings } from '../renditions.settings.js';

/** The image part of a compress request, handed over as soon as it starts (as an upload's). */
export interface CompressSource {
  content: Readable;
  /** Upper bound from Content-Length, if the client sent one. */
  declaredBytes?: number;
  /** The rendition asked for; settles once the whole request has been read. */
  request(): Promise<RenditionRequest>;
}

export interface CompressedImage {
  /** A local file holding the result: stream it, then call dispose(). */
  path: string;
  bytes: number;
  sha256: string;
  spec: RenditionSpec;
  contentType: string;
  original: { bytes: number; width: number; height: number; format: ImageFormat };
  dispose(): Promise<void>;
}

/** Slack for multipart boundaries and text fields when judging Content-Length. */
const MULTIPART_OVERHEAD_BYTES = 64 * 1024;

/**
 * Compresses (resizes, converts) an image and hands the result back; nothing is stored.
 * The same rules as an upload (streamed to a temp file, never into memory; the bytes decide
 * the type; the header is probed under limits, here COMPRESS_MAX_PIXELS, before a pixel is
 * decoded), then one isolated render bounded by COMPRESS_TIMEOUT_SECONDS that `signal`
 * (the client going away) stops.
 */
@Injectable()
export class CompressImageUseCase {
  /** Renders under way in this process (each one a child process), and the line behind them. */
  private readonly renders: Semaphore;

  constructor(
    private readonly staging: UploadStaging,
    private readonly images: ImageProcessor,
    private readonly renderer: RenditionRenderer,
    private readonly settings: RenditionsSettings,
  ) {
    const { concurrency, queue, queueSeconds } = settings.compress;
    this.renders = new Semaphore(concurrency, {
      maxWaiting: queue,
      maxWaitSeconds: queueSeconds,
      what: 'compressions',
      retryAfterSeconds: Math.max(1, Math.min(queueSeconds, 30)),
    });
  }

  async execute(source: CompressSource, signal: AbortSignal): Promise<CompressedImage> {
    const { maxBytes, maxPixels, maxSide, timeoutSeconds } = this.settings.compress;
    // Every place taken: refused before the body is read (the semaphore decides again at render time).
    this.renders.throwIfFull();
    const tooLarge = () => new UploadTooLargeError(maxBytes);
    if (source.declaredBytes !== undefined && source.declaredBytes > maxBytes + MULTIPART_OVERHEAD_BYTES) {
      throw tooLarge();
    }
    const staged = await this.staging.stage(source.content, { maxBytes, tooLarge });
    let out: string | undefined;
    try {
      out = await this.staging.scratchPath('compress');
      const request = await source.request();
      if (staged.bytes === 0) throw new EmptyUploadError();
      const sniffed = sniffImageFormat(staged.head);
      if (!sniffed) throw new UnsupportedMediaTypeError(sniffUndecodableFormat(staged.head) ?? undefined);
      const info = await this.images.probe(staged.path, { maxPixels, maxSide });
      if (info.format !== sniffed) throw new UnsupportedMediaTypeError();
      // Neither a width nor a height: the same size, recompressed.
      const sized =
        request.width === undefined && request.height === undefined ? { ...request, width: info.width } : request;
      const spec = normaliseSpec(sized, info);
      const file = await this.renders.run(
        () => this.renderer.render({ path: staged.path }, spec, out!, { timeoutSeconds, signal }),
        signal,
      );
      return {
        path: out,
        ...file,
        spec,
        contentType: RENDITION_CONTENT_TYPES[spec.format],
        original: { bytes: staged.bytes, width: info.width, height: info.height, format: info.format },
        dispose: () => this.staging.discard({ path: out! }),
      };
    } catch (error) {
      if (out) await this.staging.discard({ path: out });
      throw error;
    } finally {
      await this.staging.discard(staged);
    }
  }
}
