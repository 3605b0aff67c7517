import type { Readable } from 'node:stream';
import { Injectable, Logger } from '@nestjs/common';
import { Clock, JobQueue, newId, ObjectStorage, type QueuedJob } from '#shared-kernel';
import { SPHERE_TILE_OPTIONS, type TileOptions, type TileSet, TileSetRepository, TileSetRequests } from '#tiles';
import { sanitiseFilename, titleFromFilename } from '../../domain/filename.js';
import { sniffImageFormat, sniffUndecodableFormat } from '../../domain/image-format.js';
import { originalKey, Panorama } from '../../domain/panorama.js';
import { detectProjection, type Projection } from '../../domain/projection.js';
import {
  EmptyUploadError,
  QuotaExceededError,
  UnsupportedMediaTypeError,
  UploadTooLargeError,
} from '../../domain/panoramas.errors.js';
import type { PanoramaView } from '../panorama-view.js';
import { PanoramasSettings } from '../panoramas.settings.js';
import { ImageProcessor } from '../ports/image-processor.port.js';
import { PanoramaRepository } from '../ports/panorama.repository.port.js';
import { type StagedUpload, UploadStaging } from '../ports/upload-staging.port.js';
import type { Quota } from '../../domain/quota.js';
import { UserQuotas } from '../ports/user-quotas.port.js';

export interface UploadFields {
  title?: string;
  description?: string;
  /** Overrides what the image says of itself (see detectProjection). */
  projection?: Projection;
  tags?: readonly string[];
  tileOptions: Partial<TileOptions>;
}

/**
 * The file part of a multipart upload, handed over as soon as it starts. Fields may come
 * before or after the file; `fields()` settles once the whole request has been read (and
 * rejects if the edge found them invalid).
 */
export interface UploadSource {
  filename: string | undefined;
  content: Readable;
  /** Upper bound from Content-Length, if the client sent one. */
  declaredBytes?: number;
  /**
   * The storage key where these very bytes already are (a direct upload): the original is
   * then a copy inside the storage instead of the staged file going up again.
   */
  storedAt?: string;
  fields(): Promise<UploadFields>;
}

export interface UploadResult extends PanoramaView {
  /** false: the owner already had these bytes; the existing panorama is returned. */
  created: boolean;
  /**
   * With `created: false`, the projection this upload asked for when it differs from the
   * existing panorama's, which is kept (updatePanorama changes it).
   */
  projectionNotApplied?: Projection;
}

export interface UploadOptions {
  /**
   * Jobs sent in the transaction that commits a new panorama: they exist if and only if it
   * does, whatever happens to this process after the commit. Not sent for an existing one.
   */
  jobsOnCommit?: (panorama: Panorama) => QueuedJob[];
}

/** Slack for multipart boundaries and text fields when judging Content-Length. */
const MULTIPART_OVERHEAD_BYTES = 1024 * 1024;

/**
 * Upload: quota check → stream to a temp file (hash, count, limits) → the bytes decide the
 * type → header probe under limits → same owner + same bytes = the existing panorama →
 * original into storage (or copied there from `storedAt`) → panorama and queued tile set
 * committed together (with the caller's jobsOnCommit) → tiling job enqueued.
 * Whatever fails, the temp file goes, and nothing half-made stays in storage or database.
 */
@Injectable()
export class UploadPanoramaUseCase {
  private readonly logger = new Logger(UploadPanoramaUseCase.name);

  constructor(
    private readonly panoramas: PanoramaRepository,
    private readonly tileSets: TileSetRepository,
    private readonly tileSetRequests: TileSetRequests,
    private readonly staging: UploadStaging,
    private readonly images: ImageProcessor,
    private readonly storage: ObjectStorage,
    private readonly quotas: UserQuotas,
    private readonly settings: PanoramasSettings,
    private readonly clock: Clock,
    private readonly queue: JobQueue,
  ) {}

  async execute(ownerId: string, source: UploadSource, options: UploadOptions = {}): Promise<UploadResult> {
    const allowance = await this.allowance(ownerId, source.declaredBytes);
    const staged = await this.staging.stage(source.content, { maxBytes: allowance.limit, tooLarge: allowance.error });
    try {
      const fields = await source.fields();
      return await this.accept(ownerId, staged, source, fields, allowance.quota, options);
    } finally {
      await this.staging.discard(staged);
    }
  }

  /**
   * Refuses now (QuotaExceededError, UploadTooLargeError) an upload of `bytes` that could
   * not be accepted: a resumable upload is checked at creation, and again at the end.
   * `reservedBytes`: what the owner's unfinished uploads already hold against the quota.
   */
  async checkAllowance(ownerId: string, bytes: number | undefined, reservedBytes = 0): Promise<void> {
    const { limit, error } = await this.allowance(ownerId, bytes, reservedBytes);
    if (bytes !== undefined && bytes > limit) throw error();
  }

  /** The most bytes one more upload of this owner may have now (file limit, quota less `reservedBytes`). */
  async uploadLimit(ownerId: string, reservedBytes = 0): Promise<number> {
    return (await this.allowance(ownerId, undefined, reservedBytes)).limit;
  }

  /**
   * How many bytes this upload may have, and the error for going past them: an early
   * refusal from usage now. The binding check is at commit (insertWithTileSet), where
   * uploads racing for the same quota are counted one after another.
   */
  private async allowance(ownerId: string, declaredBytes: number | undefined, reservedBytes = 0) {
    const [quota, usage] = await Promise.all([this.quotas.forUser(ownerId), this.panoramas.usage(ownerId)]);
    if (usage.panoramas >= quota.maxPanoramas)
      throw new QuotaExceededError('panoramas', quota.maxPanoramas, usage.panoramas);
    const remaining = Math.max(0, quota.maxBytes - usage.bytes - reservedBytes);
    const byQuota = remaining < this.settings.maxUploadBytes;
    const limit = Math.min(remaining, this.settings.maxUploadBytes);
    const error = () =>
      byQuota
        ? new QuotaExceededError('bytes', quota.maxBytes, usage.bytes + reservedBytes)
        : new UploadTooLargeError(this.settings.maxUploadBytes);
    // Refuse before reading the body when Content-Length alone proves it too big.
    if (declaredBytes !== undefined && declaredBytes > limit + MULTIPART_OVERHEAD_BYTES) throw error();
    return { limit, error, quota };
  }

  private async accept(
    ownerId: string,
    staged: StagedUpload,
    { filename, storedAt }: UploadSource,
    fields: UploadFields,
    quota: Quota,
    options: UploadOptions,
  ): Promise<UploadResult> {
    if (staged.bytes === 0) throw new EmptyUploadError();
    const sniffed = sniffImageFormat(staged.head);
    if (!sniffed) throw new UnsupportedMediaTypeError(sniffUndecodableFormat(staged.head) ?? undefined);
    const info = await this.images.probe(staged.path);
    if (info.format !== sniffed) throw new UnsupportedMediaTypeError();

    const duplicate = await this.panoramas.findByOwnerAndSha256(ownerId, staged.sha256);
    if (duplicate) return this.existing(duplicate, fields);

    const now = this.clock.now();
    const id = newId();
    const cleanName = sanitiseFilename(filename);
    const panorama = new Panorama({
      id,
      ownerId,
      title: fields.title?.trim() || titleFromFilename(cleanName),
      description: fields.description ?? null,
      originalFilename: cleanName,
      format: info.format,
      bytes: staged.bytes,
      width: info.width,
      height: info.height,
      projection: detectProjection({ ...info, requested: fields.projection }),
      sha256: staged.sha256,
      originalKey: originalKey(ownerId, id, info.format),
      createdAt: now,
      updatedAt: now,
      deletedAt: null,
      tags: fields.tags ?? [],
    });
    const tileSet = this.tileSetRequests.build(panorama.imageSource(), fields.tileOptions);

    const stored = { contentType: panorama.contentType(), sha256: staged.sha256 };
    if (storedAt) await this.storage.copy(storedAt, panorama.originalKey, stored);
    else await this.storage.importFile(panorama.originalKey, staged.path, stored);
    let committed = false;
    try {
      const jobs = options.jobsOnCommit?.(panorama) ?? [];
      committed = await this.panoramas.insertWithTileSet(panorama, tileSet, quota, async (within) => {
        for (const job of jobs) await this.queue.enqueue(job.name, job.payload, { ...job.options, within });
      });
    } finally {
      // Not committed (error, or a concurrent upload of the same bytes won): no orphan original.
      if (!committed) await this.storage.deletePrefix(panorama.originalPrefix());
    }
    if (!committed) {
      const winner = await this.panoramas.findByOwnerAndSha256(ownerId, staged.sha256);
      if (!winner) throw new Error('duplicate upload reported but the existing panorama is gone');
      return this.existing(winner, fields);
    }
    // Committed. If the job cannot be sent now (or the process dies here), the tile set
    // stays queued and the reconciler sends its job later: the upload itself succeeded.
    await this.tileSetRequests
      .enqueue(tileSet.id)
      .catch((error: unknown) =>
        this.logger.warn({ tileSetId: tileSet.id, err: error }, 'Enqueue failed; the reconciler will retry'),
      );
    this.logger.log(
      { panoramaId: id, bytes: staged.bytes, width: info.width, height: info.height },
      'Panorama uploaded',
    );
    const sphere = await this.sphereTileSet(panorama);
    return { panorama, tileSets: sphere ? [tileSet, sphere] : [tileSet], created: true };
  }

  /**
   * A 360° panorama also gets the tile set spherical viewers read (SPHERE_TILE_OPTIONS).
   * After the commit: should this fail, the panorama stands and its flat tile set is cut;
   * updatePanorama (or uploading the same bytes again) asks for it again.
   */
  private async sphereTileSet(panorama: Panorama): Promise<TileSet | null> {
    if (panorama.projection !== 'equirectangular') return null;
    try {
      return (await this.tileSetRequests.ensure(panorama.imageSource(), SPHERE_TILE_OPTIONS)).tileSet;
    } catch (error) {
      this.logger.warn({ panoramaId: panorama.id, err: error }, 'Could not queue the sphere tile set');
      return null;
    }
  }

  /** Same bytes again: the existing panorama, plus a tile set for these options if new. */
  private async existing(panorama: Panorama, fields: UploadFields): Promise<UploadResult> {
    await this.tileSetRequests.ensure(panorama.imageSource(), fields.tileOptions);
    await this.sphereTileSet(panorama);
    const tileSets = await this.tileSets.findByPanorama(panorama.id);
    const asked = fields.projection;
    return {
      panorama,
      tileSets,
      created: false,
      ...(asked && asked !== panorama.projection ? { projectionNotApplied: asked } : {}),
    };
  }
}
