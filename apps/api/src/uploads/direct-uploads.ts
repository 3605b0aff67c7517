import { Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { AppConfig } from '#config';
import {
  DirectUploadStorage,
  DomainError,
  LockTimeoutError,
  newId,
  ObjectStorage,
  PartsRejectedError,
  type SentPart,
  SharedLocks,
  type SignedPart,
} from '#shared-kernel';
import type { Principal } from '#users';
import { RaiseWebhookEventUseCase } from '#webhooks';
import { type DirectUpload, DirectUploadRepository, reservedByDirect } from '#panoramas';
import {
  IngestPanoramaUseCase,
  type IngestResult,
  PanoramaCatalogueUseCase,
  type PanoramaWithDerivatives,
} from '#workflows';
import { HttpProblem } from '../http/problem/http-problem.js';
import { UploadFieldsParser } from '../panoramas/upload-fields.js';
import { ResumableUploads } from './resumable-uploads.js';
import { assertRoomForUpload } from './unfinished-uploads.js';

/** S3 takes at most 10,000 parts per upload. */
export const MAX_PARTS = 10_000;
const MIB = 1024 * 1024;
/** Expired uploads cleaned per sweep and process (the next sweep takes the rest). */
const SWEEP_BATCH = 100;

export interface DirectUploadView {
  upload: DirectUpload;
  /** Fresh part URLs (an open upload only) and when they stop working. */
  parts?: SignedPart[];
  urlsExpireAt?: Date;
}

/** What completing answers: the panorama, and whether this request made it. */
export interface CompletedDirectUpload {
  result: IngestResult | PanoramaWithDerivatives;
  created: boolean;
}

/**
 * Direct uploads: with STORAGE_DRIVER=s3 a client PUTs the file's parts straight to the
 * bucket with URLs the API signs, then asks the API to complete; the gigabytes never cross
 * the API's network link from the client. Everything an instance needs is in PostgreSQL and
 * S3, so any API instance can sign, resume, complete or abort any upload.
 *
 * Creation checks what a resumable upload's does (fields, size against UPLOAD_MAX_BYTES and
 * the quota counting the owner's unfinished uploads of both kinds, at most
 * UPLOAD_RESUMABLE_MAX_PER_USER of them), under the same per-owner lock. Completion (under
 * a lock per upload, so completes released at once make one panorama) assembles the parts,
 * checks the size, then runs the ordinary ingest on the assembled object: read once from
 * the bucket (type by its bytes, header probe, SHA-256 for de-duplication, quota at commit),
 * the original a server-side copy of it. A refused file ends the upload; an outage or a
 * client that left leaves it assembled, for the next complete.
 */
@Injectable()
export class DirectUploads implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(DirectUploads.name);
  private sweeping?: NodeJS.Timeout;

  constructor(
    private readonly config: AppConfig,
    private readonly storage: DirectUploadStorage,
    private readonly objects: ObjectStorage,
    private readonly repository: DirectUploadRepository,
    private readonly ingest: IngestPanoramaUseCase,
    private readonly catalogue: PanoramaCatalogueUseCase,
    private readonly fields: UploadFieldsParser,
    private readonly locks: SharedLocks,
    private readonly resumable: ResumableUploads,
    private readonly raise: RaiseWebhookEventUseCase,
  ) {}

  get offered(): boolean {
    return this.storage.offered;
  }

  onModuleInit(): void {
    if (!this.offered) return;
    this.sweeping = setInterval(() => void this.sweep(), this.config.TEMP_SWEEP_INTERVAL_SECONDS * 1000).unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.sweeping);
  }

  async create(principal: Principal, filename: string, bytes: number, raw: Record<string, string>) {
    this.assertOffered();
    const ownerId = principal.userId;
    const fields = await this.fields.parse(raw);
    if (fields.collectionId) await this.ingest.checkCollection(ownerId, fields.collectionId);
    const held = await this.locks.acquire(`uploads-of:${ownerId}`, { timeoutMs: 10_000 });
    try {
      const [tus, direct] = await Promise.all([this.resumable.holdsOf(ownerId), this.repository.unfinishedOf(ownerId)]);
      assertRoomForUpload(tus.count + direct.length, this.config.UPLOAD_RESUMABLE_MAX_PER_USER);
      await this.ingest.checkAllowance(ownerId, bytes, tus.bytes + reservedByDirect(direct));
      const id = newId();
      const key = `uploads/${ownerId}/${id}`;
      const storageUploadId = await this.storage.begin(key, 'application/octet-stream');
      const now = new Date();
      const upload: DirectUpload = {
        id,
        ownerId,
        key,
        storageUploadId,
        filename,
        bytes,
        partBytes: partSizeFor(bytes, this.config.S3_PART_SIZE_BYTES),
        fields: raw,
        state: 'open',
        panoramaId: null,
        createdAt: now,
        expiresAt: new Date(now.getTime() + this.config.UPLOAD_RESUMABLE_EXPIRY_HOURS * 3_600_000),
      };
      try {
        await this.repository.insert(upload);
      } catch (error) {
        await this.storage.abort(key, storageUploadId).catch(() => undefined);
        throw error;
      }
      this.logger.log({ uploadId: id, bytes }, 'Direct upload created');
      return this.view(upload);
    } finally {
      await held.release();
    }
  }

  /** The upload, with fresh part URLs while it is open. */
  async get(principal: Principal, id: string): Promise<DirectUploadView> {
    this.assertOffered();
    return this.view(await this.find(principal, id));
  }

  /** The user's unfinished direct uploads (without URLs). */
  async list(principal: Principal): Promise<DirectUpload[]> {
    this.assertOffered();
    return this.repository.unfinishedOf(principal.userId);
  }

  async complete(
    principal: Principal,
    id: string,
    parts: readonly SentPart[],
    signal: AbortSignal,
  ): Promise<CompletedDirectUpload> {
    this.assertOffered();
    await this.find(principal, id); // 404 before waiting for anyone's lock
    const held = await this.hold(id, signal);
    try {
      // Read again under the lock: a complete that held it before may have changed it.
      let upload = await this.find(principal, id);
      if (upload.state === 'completed') return { result: await this.made(principal, upload), created: false };
      if (upload.state === 'open') {
        await this.assemble(upload, parts);
        upload = { ...upload, state: 'assembled' };
      }
      return { result: await this.accept(upload, signal), created: true };
    } finally {
      await held.release();
    }
  }

  /** Abandons an upload: its parts or assembled object go (a panorama it made stays). */
  async remove(principal: Principal, id: string, signal: AbortSignal): Promise<void> {
    this.assertOffered();
    await this.find(principal, id);
    const held = await this.hold(id, signal);
    try {
      const upload = await this.repository.find(principal.userId, id);
      if (!upload) return;
      await this.discard(upload);
    } finally {
      await held.release();
    }
  }

  /**
   * Removes uploads past their expiry (their parts or objects with them); answers how many.
   * Each under its upload's lock, taken only if free: an upload being completed or removed
   * right now is left to the next sweep, and sweeps of several processes remove each once.
   */
  async sweep(): Promise<number> {
    let removed = 0;
    try {
      for (;;) {
        const now = new Date();
        const expired = await this.repository.expired(now, SWEEP_BATCH);
        let removedNow = 0;
        for (const upload of expired) {
          const held = await this.locks
            .acquire(`direct-upload:${upload.id}`, { timeoutMs: 0, quiet: true })
            .catch(() => null);
          if (!held) continue;
          try {
            if (!(await this.repository.deleteExpired(upload.id, now))) continue;
            await this.dropStored(upload);
            removedNow++;
          } finally {
            await held.release();
          }
        }
        removed += removedNow;
        if (expired.length < SWEEP_BATCH || removedNow === 0) break;
      }
    } catch (error) {
      this.logger.warn({ err: error }, 'Sweeping expired direct uploads failed');
    }
    if (removed > 0) this.logger.log(`Removed ${removed} expired direct upload(s)`);
    return removed;
  }

  private async assemble(upload: DirectUpload, parts: readonly SentPart[]): Promise<void> {
    const expected = partsOf(upload).length;
    const numbers = new Set(parts.map((p) => p.partNumber));
    if (numbers.size !== parts.length || parts.length !== expected || parts.some((p) => p.partNumber > expected)) {
      throw new HttpProblem(
        400,
        'UPLOAD_INCOMPLETE',
        `This upload has ${expected} part(s), numbered 1 to ${expected}: list each once with the ETag its PUT answered.`,
      );
    }
    try {
      await this.storage.complete(upload.key, upload.storageUploadId, parts);
    } catch (error) {
      if (error instanceof PartsRejectedError)
        throw new HttpProblem(
          400,
          'UPLOAD_INCOMPLETE',
          `${error.reason} (send the missing parts, then complete again).`,
        );
      throw error;
    }
    await this.repository.markAssembled(upload.id);
  }

  private async accept(upload: DirectUpload, signal: AbortSignal): Promise<IngestResult> {
    let result: IngestResult;
    try {
      const stat = await this.objects.stat(upload.key);
      if (stat?.bytes !== upload.bytes) {
        throw new HttpProblem(
          400,
          'UPLOAD_INCOMPLETE',
          `The parts made ${stat?.bytes ?? 0} bytes, not the ${upload.bytes} declared: the upload is discarded.`,
        );
      }
      const fields = await this.fields.parse(upload.fields);
      const { body } = await this.objects.get(upload.key);
      // The client leaving stops the read (the upload stays assembled for the next complete).
      const stop = () => body.destroy(signal.reason as Error);
      if (signal.aborted) stop();
      else signal.addEventListener('abort', stop, { once: true });
      result = await this.ingest.execute(upload.ownerId, {
        filename: upload.filename,
        content: body,
        declaredBytes: upload.bytes,
        storedAt: upload.key,
        fields: () => Promise.resolve(fields),
      });
    } catch (error) {
      // A refusal of the file or its fields ends the upload; the machine's trouble does not.
      const refused =
        (error instanceof DomainError && !error.retryable) || (error instanceof HttpProblem && error.status < 500);
      if (refused) await this.discard(upload);
      throw error;
    }
    await this.repository.markCompleted(upload.id, result.panorama.id);
    await this.objects.delete(upload.key).catch((error: unknown) => {
      this.logger.warn({ err: error, uploadId: upload.id }, 'The assembled upload stays; the expiry sweep removes it');
    });
    await this.raise
      .execute('upload.finished', upload.ownerId, result.panorama.id, {
        uploadId: upload.id,
        panoramaId: result.panorama.id,
        bytes: upload.bytes,
      })
      .catch((error: unknown) => this.logger.warn({ err: error, uploadId: upload.id }, 'upload.finished not recorded'));
    return result;
  }

  /** The panorama a completed upload made (404 when it has been deleted since). */
  private made(principal: Principal, upload: DirectUpload): Promise<PanoramaWithDerivatives> {
    if (!upload.panoramaId) throw new HttpProblem(404, 'UPLOAD_NOT_FOUND', 'The panorama this upload made is gone.');
    return this.catalogue.get(principal, upload.panoramaId);
  }

  private async discard(upload: DirectUpload): Promise<void> {
    await this.dropStored(upload);
    await this.repository.delete(upload.id);
  }

  /** The parts (open) or the assembled object (assembled) of an upload; nothing once completed. */
  private async dropStored(upload: DirectUpload): Promise<void> {
    try {
      if (upload.state === 'open') await this.storage.abort(upload.key, upload.storageUploadId);
      else if (upload.state === 'assembled') await this.objects.delete(upload.key);
    } catch (error) {
      // The bucket's lifecycle rule for incomplete multipart uploads is the backstop (docs/operations.md).
      this.logger.warn({ err: error, uploadId: upload.id }, 'Could not remove a direct upload from the bucket');
    }
  }

  private async view(upload: DirectUpload): Promise<DirectUploadView> {
    if (upload.state !== 'open') return { upload };
    const seconds = this.config.DIRECT_UPLOAD_URL_SECONDS;
    const urlsExpireAt = new Date(new Date().getTime() + seconds * 1000);
    const parts = await this.storage.signParts(upload.key, upload.storageUploadId, partsOf(upload), seconds);
    return { upload, parts, urlsExpireAt };
  }

  private async find(principal: Principal, id: string): Promise<DirectUpload> {
    const upload = await this.repository.find(principal.userId, id);
    if (!upload || upload.expiresAt <= new Date())
      throw new HttpProblem(404, 'UPLOAD_NOT_FOUND', 'No upload with this id exists.');
    return upload;
  }

  private async hold(id: string, signal: AbortSignal) {
    try {
      return await this.locks.acquire(`direct-upload:${id}`, { timeoutMs: 60_000, signal });
    } catch (error) {
      if (error instanceof LockTimeoutError)
        throw new HttpProblem(409, 'CONFLICT', 'Another request is completing or removing this upload; try again.');
      throw error;
    }
  }

  private assertOffered(): void {
    if (!this.offered) {
      throw new HttpProblem(
        501,
        'NOT_IMPLEMENTED',
        'Direct uploads need an object store (STORAGE_DRIVER=s3); use uploadPanorama or the resumable uploads at /v1/uploads.',
      );
    }
  }
}

/** Parts of at least S3_PART_SIZE_BYTES, whole MiB, at most 10,000 of them. */
export function partSizeFor(bytes: number, minimum: number): number {
  return Math.max(minimum, Math.ceil(bytes / MAX_PARTS / MIB) * MIB);
}

/** Each part's number and exact size: all `partBytes` but the last. */
export function partsOf(upload: Pick<DirectUpload, 'bytes' | 'partBytes'>): { partNumber: number; bytes: number }[] {
  const count = Math.ceil(upload.bytes / upload.partBytes);
  return Array.from({ length: count }, (_, i) => ({
    partNumber: i + 1,
    bytes: i === count - 1 ? upload.bytes - i * upload.partBytes : upload.partBytes,
  }));
}
