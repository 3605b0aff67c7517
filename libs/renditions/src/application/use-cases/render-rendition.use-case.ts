import { Injectable, Logger } from '@nestjs/common';
import { type Panorama, PanoramaRepository, QuotaExceededError, UploadStaging, UserQuotas } from '#panoramas';
import {
  Clock,
  type JobAttempt,
  ObjectStorage,
  type ReadablePyramid,
  ReadyPyramids,
  runDerivativeJob,
} from '#shared-kernel';
import { RenderFailedError } from '../../domain/renditions.errors.js';
import { RENDITION_CONTENT_TYPES, type RenditionSpec } from '../../domain/rendition-spec.js';
import type { Rendition } from '../../domain/rendition.js';
import { RenditionRenderer, type RenderSource } from '../ports/rendition-renderer.port.js';
import { RenditionRepository } from '../ports/rendition.repository.port.js';

/**
 * Largest pyramid level (in pixels) stitched together in memory (4 bytes a pixel at most);
 * beyond, the original is read (streamed, shrunk on load).
 */
export const MAX_PYRAMID_LEVEL_PIXELS = 16_777_216;

/**
 * The render job (its skeleton, failure policy included, is every derived image's:
 * runDerivativeJob). Makes the file from a ready pyramid when one is good enough (lossless, or
 * at least the rendition's quality: only the tiles of one small level are read), else from
 * the original (shrink-on-load), into a scratch file beside the storage root; stores it;
 * then marks the rendition ready, with its bytes counted against the owner's quota (as an
 * upload's are; over quota, the file goes and the rendition fails with QUOTA_EXCEEDED).
 *
 * Idempotent: the key is fixed per rendition, the file is replaced whole. An image that
 * cannot be decoded fails at once; storage trouble is retried, and fails the rendition on
 * the last attempt.
 */
@Injectable()
export class RenderRenditionUseCase {
  private readonly logger = new Logger(RenderRenditionUseCase.name);

  constructor(
    private readonly renditions: RenditionRepository,
    private readonly panoramas: PanoramaRepository,
    private readonly pyramids: ReadyPyramids,
    private readonly renderer: RenditionRenderer,
    private readonly storage: ObjectStorage,
    private readonly staging: UploadStaging,
    private readonly quotas: UserQuotas,
    private readonly clock: Clock,
  ) {}

  execute(renditionId: string, attempt: Pick<JobAttempt, 'isLastAttempt'> = { isLastAttempt: true }): Promise<void> {
    return runDerivativeJob(
      {
        find: async () => {
          const rendition = await this.renditions.findById(renditionId);
          const panorama = rendition && (await this.panoramas.findById(rendition.panoramaId));
          // Its panorama being deleted: nothing to make (the purge removes the row).
          return rendition && panorama ? { status: rendition.status, rendition, panorama } : null;
        },
        start: () => this.renditions.markProcessing(renditionId, this.clock.now()),
        work: ({ rendition, panorama }) => this.make(rendition, panorama),
        fail: (_, code) => this.renditions.markFailed(renditionId, code, this.clock.now()),
        fallbackCode: 'RENDER_FAILED',
      },
      attempt,
    );
  }

  private async make(rendition: Rendition, panorama: Panorama): Promise<void> {
    const out = await this.staging.scratchPath('rendition');
    try {
      const file = await this.render(panorama, rendition.spec(), out);
      // Deleted while we rendered (a render can take seconds): store nothing. The purge may
      // have swept the prefix already; a file put there now would wait for commit() below.
      if (!(await this.panoramas.findById(rendition.panoramaId))) return;
      await this.storage.importFile(rendition.key, out, {
        contentType: RENDITION_CONTENT_TYPES[rendition.format],
        sha256: file.sha256,
      });
      await this.commit(rendition, file);
    } finally {
      await this.staging.discard({ path: out });
    }
  }

  private async commit(rendition: Rendition, file: { bytes: number; sha256: string }): Promise<void> {
    let ready: boolean;
    try {
      ready = await this.renditions.markReady(
        rendition.id,
        file,
        await this.quotas.forUser(rendition.ownerId),
        this.clock.now(),
      );
    } catch (error) {
      await this.storage.delete(rendition.key);
      if (!(error instanceof QuotaExceededError)) throw error;
      this.logger.warn({ renditionId: rendition.id }, error.message);
      await this.renditions.markFailed(rendition.id, error.code, this.clock.now());
      return;
    }
    // Deleted meanwhile (the rendition, or its panorama: a purge may have swept the prefix
    // before this file landed in it): no orphan file.
    if (!ready || !(await this.panoramas.findById(rendition.panoramaId))) await this.storage.delete(rendition.key);
  }

  /** From a good-enough pyramid if there is one (and it is intact), else from the original. */
  private async render(panorama: Panorama, spec: RenditionSpec, out: string) {
    const pyramid = await this.usablePyramid(panorama, spec);
    if (pyramid) {
      try {
        return await this.renderer.render({ pyramid }, spec, out);
      } catch (error) {
        if (!(error instanceof RenderFailedError)) throw error;
        // A damaged tile: the original is the authority.
        this.logger.warn({ panoramaId: panorama.id, err: error }, 'Rendering from tiles failed; using the original');
      }
    }
    return this.renderer.render(await this.original(panorama), spec, out);
  }

  private async usablePyramid(panorama: Panorama, spec: RenditionSpec): Promise<ReadablePyramid | null> {
    const pyramid = await this.pyramids.bestOf(panorama.id);
    if (!pyramid) return null;
    // Lossy tiles re-encoded lossily lose quality twice: only from tiles at least as good.
    if (pyramid.format !== 'png' && (spec.quality === null || pyramid.quality < spec.quality)) return null;
    const needed = neededWidth(panorama, spec);
    const level = pyramid.levels.find((l) => l.width >= needed);
    return level && level.width * level.height <= MAX_PYRAMID_LEVEL_PIXELS ? pyramid : null;
  }

  private async original(panorama: Panorama): Promise<RenderSource> {
    const local = this.storage.localPath(panorama.originalKey);
    return local ? { path: local } : { stream: (await this.storage.get(panorama.originalKey)).body };
  }
}

/** Width of the whole image once scaled for this spec (before a cover crop). */
export function neededWidth(source: { width: number; height: number }, spec: RenditionSpec): number {
  const scale =
    spec.fit === 'cover'
      ? Math.max(spec.width / source.width, spec.height / source.height)
      : Math.min(spec.width / source.width, spec.height / source.height);
  return Math.ceil(source.width * scale);
}
