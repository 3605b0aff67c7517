import { randomUUID } from 'node:crypto';
import { PassThrough, Readable } from 'node:stream';
import { Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { ERRORS, type Lock, type Locker, type RequestRelease, Server, type Upload } from '@tus/server';
import type { Request as ExpressRequest, Response as ExpressResponse } from 'express';
import { AppConfig } from '#config';
import type { Principal } from '#users';
import { LockTimeoutError, Metrics, SharedLocks, StorageUnavailableError } from '#shared-kernel';
import { isS3Outage } from '#storage';
import { RaiseWebhookEventUseCase } from '#webhooks';
import { DirectUploadRepository, reservedByDirect } from '#panoramas';
import { IngestPanoramaUseCase } from '#workflows';
import { whenClientGone } from '../http/client-gone.js';
import { lingerIfUnread } from '../http/linger.js';
import { PROBLEM_STATUS, type ProblemCode } from '../http/problem/error-status.js';
import {
  isDiskFull,
  problemDocument,
  RETRY_AFTER_UNAVAILABLE_SECONDS,
  toProblem,
} from '../http/problem/problem-details.filter.js';
import { HttpProblem } from '../http/problem/http-problem.js';
import { UploadFieldsParser } from '../panoramas/upload-fields.js';
import { isStorageOutage, TusStorage, tusLockKey, UPLOAD_ID } from './tus-storage.js';
import { assertRoomForUpload } from './unfinished-uploads.js';

export const PANORAMA_ID_HEADER = 'Tessera-Panorama-Id';

/** tus's own refusals (plain text) as our problem codes, by status. */
const TUS_STATUS_CODES: Record<number, ProblemCode> = {
  400: 'BAD_REQUEST',
  403: 'FORBIDDEN',
  404: 'UPLOAD_NOT_FOUND',
  409: 'CONFLICT',
  410: 'UPLOAD_NOT_FOUND',
  412: 'PRECONDITION_FAILED',
  413: 'UPLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  501: 'NOT_IMPLEMENTED',
};

const TUS_VERSION = '1.0.0';
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding']);
const OFFSET_STREAM = 'application/offset+octet-stream';

/**
 * What the protocol refuses before tus sees the request, with the protocol's own codes
 * (tus 1.0: 412 for an unsupported version, with Tus-Version; 415 for a body that is not an
 * offset stream; ids that are not ours: 404).
 */
function protocolRefusal(req: ExpressRequest): { problem: HttpProblem; headers?: Record<string, string> } | null {
  if (req.method === 'OPTIONS') return null;
  const version = req.headers['tus-resumable'];
  if (version !== TUS_VERSION) {
    return {
      problem: new HttpProblem(
        412,
        'PRECONDITION_FAILED',
        version === undefined
          ? `The Tus-Resumable header is required (this server speaks tus ${TUS_VERSION}).`
          : `tus ${String(version)} is not supported; this server speaks tus ${TUS_VERSION}.`,
      ),
      headers: { 'Tus-Version': TUS_VERSION },
    };
  }
  const id = req.path.replace(/^.*\/uploads\/?/, '');
  if (id !== '' && !UPLOAD_ID.test(id)) {
    return { problem: new HttpProblem(404, 'UPLOAD_NOT_FOUND', 'No upload with this id exists.') };
  }
  const type = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
  const sendsBody = req.method === 'PATCH' || (req.method === 'POST' && type !== '');
  if (sendsBody && type !== OFFSET_STREAM) {
    return {
      problem: new HttpProblem(
        415,
        'UNSUPPORTED_MEDIA_TYPE',
        `Upload bytes are sent as Content-Type: ${OFFSET_STREAM}.`,
      ),
    };
  }
  return null;
}

type TusRequest = Request & {
  runtime?: { node?: { req: ExpressRequest & { principal?: Principal }; res: ExpressResponse } };
};

/**
 * Resumable uploads (tus 1.0) on @tus/server, with its file or S3 store. Creation checks what a
 * multipart upload checks before its body (size against UPLOAD_MAX_BYTES and the quota,
 * the metadata as upload fields) and records the owner in the upload's metadata (whatever
 * the client sent there); every later request on an upload must come from its owner
 * (404 otherwise, like any other user's resource). When the last byte arrives, the file
 * goes through the multipart upload's pipeline (type by its bytes, header probe,
 * de-duplication, storage, tile set and presets queued), then leaves the store; the last
 * PATCH answers with the panorama's id in `Tessera-Panorama-Id`. Unfinished uploads older
 * than UPLOAD_RESUMABLE_EXPIRY_HOURS are removed by a sweep on every process.
 *
 * The store (TusStorage) is this machine's disk (UPLOAD_RESUMABLE_DIR) with local storage,
 * where an upload's requests must reach the machine that holds it, and the bucket with
 * STORAGE_DRIVER=s3, where any instance takes any request (the lock is shared either way).
 */
@Injectable()
export class ResumableUploads implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(ResumableUploads.name);
  private readonly server: Server;
  /** The upload each request's first hook looked up (maxSize, called next, reads it again otherwise). */
  private readonly lookedUp = new WeakMap<TusRequest, Upload>();
  private sweeping?: NodeJS.Timeout;

  constructor(
    private readonly config: AppConfig,
    private readonly ingest: IngestPanoramaUseCase,
    private readonly fields: UploadFieldsParser,
    private readonly locks: SharedLocks,
    private readonly metrics: Metrics,
    private readonly raise: RaiseWebhookEventUseCase,
    private readonly directUploads: DirectUploadRepository,
    private readonly storage: TusStorage,
  ) {
    this.server = new Server({
      path: '/v1/uploads',
      datastore: storage.store,
      // Per request: a deferred-length upload is held to its owner's allowance as bytes arrive.
      maxSize: (req, id) => this.maxSize(req as TusRequest, id),
      // One request writes an upload at a time, whichever process or instance it reaches.
      locker: new SharedTusLocker(locks),
      exposedHeaders: [PANORAMA_ID_HEADER],
      // URLs name an upload by its UUID; the store's id is its place there (on S3, a key
      // under the owner's prefix: another user's UUID names no upload of theirs).
      namingFunction: (req) => storage.idOf(this.principal(req as TusRequest).userId, randomUUID()),
      generateUrl: (_req, { path, id }) => `${path}/${storage.uuidOf(id)}`,
      getFileIdFromRequest: (req, last) =>
        last && UPLOAD_ID.test(last) ? storage.idOf(this.principal(req as TusRequest).userId, last) : undefined,
      onUploadCreate: (req, upload) => this.created(req as TusRequest, upload),
      onIncomingRequest: (req, id) => this.incoming(req as TusRequest, id),
      onUploadFinish: (req, upload) => this.finished(req as TusRequest, upload),
      // A write the store could not make for want of space: our problem (507), not tus's 500.
      onResponseError: (req, error) => {
        // The bucket down (a part, ListParts, the info): 503 STORAGE_UNAVAILABLE, which clients retry.
        if (isStorageOutage(error)) return tusError(error);
        if (!isDiskFull(error)) return undefined;
        this.metrics.count('disk_full', { operation: `tus_${req.method.toLowerCase()}` });
        return tusError(error);
      },
    });
  }

  async onModuleInit(): Promise<void> {
    await this.storage.init();
    this.sweeping = setInterval(() => void this.sweep(), this.config.TEMP_SWEEP_INTERVAL_SECONDS * 1000).unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.sweeping);
  }

  /** Removes unfinished uploads past their expiry; answers how many. */
  async sweep(): Promise<number> {
    try {
      const removed = await this.server.cleanUpExpiredUploads();
      if (removed > 0) this.logger.log(`Removed ${removed} expired unfinished upload(s)`);
      return removed;
    } catch (error) {
      this.logger.warn({ err: error }, 'Sweeping expired uploads failed');
      return 0;
    }
  }

  /** Hands one HTTP request to tus; its refusals become problem+json. */
  async handle(req: ExpressRequest, res: ExpressResponse): Promise<void> {
    const refusal = protocolRefusal(req);
    if (refusal) {
      res.setHeader('Tus-Resumable', TUS_VERSION);
      for (const [name, value] of Object.entries(refusal.headers ?? {})) res.setHeader(name, value);
      throw refusal.problem; // written by the problem filter (which lingers for an unread body)
    }
    const headers = new Headers();
    for (const [name, value] of Object.entries(req.headers)) {
      if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(', ') : value);
    }
    const withBody = !['GET', 'HEAD', 'OPTIONS', 'DELETE'].includes(req.method);
    const request = new Request(new URL(req.originalUrl, 'http://tessera.internal'), {
      method: req.method,
      headers,
      // Through a PassThrough: tus cancels the body when it stops reading (a write that failed),
      // which on the request itself would destroy the socket before our answer is out.
      body: withBody ? (Readable.toWeb(detachable(req)) as ReadableStream) : undefined,
      duplex: 'half',
      signal: whenClientGone(res),
    });
    // The hooks find the authenticated Express request here (as srvx's Node adapter has it).
    Object.assign(request, { runtime: { name: 'node', node: { req, res } } });
    const response = await this.server.handleWeb(request);
    res.status(response.status);
    // Not tus's `Connection: close` on refusals: the connection is ours to close (lingering, below).
    response.headers.forEach((value, name) => !HOP_BY_HOP.has(name) && res.setHeader(name, value));
    if (response.status === 503) res.setHeader('Retry-After', String(RETRY_AFTER_UNAVAILABLE_SECONDS));
    if (response.status >= 400) {
      // Answered before the body was read (a refusal mid-PATCH): let the client read it.
      lingerIfUnread(req, res, this.config.HTTP_LINGER_SECONDS);
      res.type('application/problem+json').send(await this.problemBody(response, req));
      return;
    }
    res.end(Buffer.from(await response.arrayBuffer()));
  }

  /**
   * Creation: the fields, the cap on unfinished uploads and the quota with what the owner's
   * unfinished uploads already hold, under the owner's lock (held until the answer is
   * written, when the new upload exists), so that creations released at once are counted
   * one after another in every process.
   */
  private async created(req: TusRequest, upload: Upload) {
    const principal = this.principal(req);
    await this.guard(async () => {
      const fields = await this.fields.parse(uploadFieldsOf(upload));
      if (fields.collectionId) await this.ingest.checkCollection(principal.userId, fields.collectionId);
      const held = await this.locks.acquire(`uploads-of:${principal.userId}`, { timeoutMs: 10_000 });
      const res = req.runtime?.node?.res;
      if (res && !res.destroyed) res.once('close', () => void held.release());
      else void held.release();
      const [unfinished, direct] = await Promise.all([
        this.unfinishedOf(principal.userId),
        this.directUploads.unfinishedOf(principal.userId),
      ]);
      assertRoomForUpload(unfinished.length + direct.length, this.config.UPLOAD_RESUMABLE_MAX_PER_USER);
      await this.ingest.checkAllowance(
        principal.userId,
        upload.size,
        reservedBy(unfinished) + reservedByDirect(direct),
      );
    });
    return { metadata: { ...upload.metadata, owner: principal.userId } };
  }

  /**
   * The most bytes an upload may reach: UPLOAD_MAX_BYTES, and for an upload of deferred
   * length (its size unknown until its end) also its owner's quota less what their other
   * unfinished uploads hold, so its bytes are checked as they arrive.
   */
  private async maxSize(req: TusRequest, id: string | null): Promise<number> {
    if (id === null || req.method !== 'PATCH') return this.config.UPLOAD_MAX_BYTES;
    const upload = this.lookedUp.get(req) ?? (await this.storage.store.getUpload(id).catch(unlessOutage));
    const owner = upload?.metadata?.owner;
    if (!upload?.sizeIsDeferred || !owner) return this.config.UPLOAD_MAX_BYTES;
    const others = await this.unfinishedOf(owner, id);
    const reserved = reservedBy(others) + reservedByDirect(await this.directUploads.unfinishedOf(owner));
    // At least one byte past the offset, so that an upload over its allowance is refused (413), not stalled.
    return Math.max(upload.offset + 1, await this.ingest.uploadLimit(owner, reserved).catch(() => 0));
  }

  /** What the owner's unfinished resumable uploads hold (direct uploads count them too). */
  async holdsOf(ownerId: string): Promise<{ count: number; bytes: number }> {
    const unfinished = await this.unfinishedOf(ownerId);
    return { count: unfinished.length, bytes: reservedBy(unfinished) };
  }

  /** The owner's unfinished uploads in the store, but `except` (not read: the PATCH under way has it). */
  private async unfinishedOf(ownerId: string, except?: string): Promise<Upload[]> {
    const ids = (await this.storage.idsOf(ownerId)).filter((id) => id !== except && this.storage.uuidOf(id) !== null);
    const uploads = await Promise.all(ids.map((id) => this.storage.store.getUpload(id).catch(unlessOutage)));
    return uploads.filter((u): u is Upload => u !== null && u.metadata?.owner === ownerId);
  }

  private async incoming(req: TusRequest, id: string): Promise<void> {
    if (req.method === 'POST' || req.method === 'OPTIONS') return;
    const principal = this.principal(req);
    // Whatever the lookup's outcome, nobody but the owner goes further (a failed lookup included).
    const upload = this.storage.uuidOf(id)
      ? await this.storage.store.getUpload(id).catch((error: unknown) => {
          if (isStorageOutage(error)) throw tusError(error);
          return null;
        })
      : null;
    if (!upload || upload.metadata?.owner !== principal.userId) {
      throw tusError(new HttpProblem(404, 'UPLOAD_NOT_FOUND', 'No upload with this id exists.'));
    }
    this.lookedUp.set(req, upload);
  }

  private async finished(req: TusRequest, upload: Upload) {
    const principal = this.principal(req);
    try {
      const result = await this.guard(async () => {
        const fields = await this.fields.parse(uploadFieldsOf(upload));
        return this.ingest.execute(principal.userId, {
          filename: upload.metadata?.filename ?? upload.metadata?.name ?? undefined,
          ...(await this.storage.content(upload)),
          declaredBytes: upload.size,
          fields: () => Promise.resolve(fields),
        });
      });
      const panoramaId = result.panorama.id;
      // Best effort: the panorama is stored whatever happens to the event (and a failed
      // answer here would only make the client send it again).
      await this.raise
        .execute('upload.finished', principal.userId, panoramaId, {
          uploadId: this.storage.uuidOf(upload.id),
          panoramaId,
          bytes: upload.size,
        })
        .catch((error: unknown) =>
          this.logger.warn({ err: error, uploadId: upload.id }, 'upload.finished not recorded'),
        );
      return {
        headers: {
          [PANORAMA_ID_HEADER]: panoramaId,
          'Content-Location': `/v1/panoramas/${result.panorama.id}`,
        },
      };
    } finally {
      // Finished (stored or refused): the upload has nothing left to resume. Removed once the
      // answer is written: tus reads the upload again after this hook (creation-with-upload).
      const remove = () => void this.storage.discard(upload.id);
      const res = req.runtime?.node?.res;
      if (res && !res.writableFinished && !res.destroyed) res.once('close', remove);
      else remove();
    }
  }

  private principal(req: TusRequest): Principal {
    const principal = req.runtime?.node?.req.principal;
    // The guard lets no request through without one; a route outside it would be a bug.
    if (!principal) throw tusError(new HttpProblem(401, 'AUTHENTICATION_REQUIRED', 'Authentication required.'));
    return principal;
  }

  /** Runs `work`; its errors become tus errors carrying our problem document. */
  private async guard<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      const refusal = tusError(error);
      if (isDiskFull(error)) this.metrics.count('disk_full', { operation: 'tus_finish' });
      else if (refusal.status_code >= 500) this.logger.error({ err: error }, 'A resumable upload failed');
      throw refusal;
    }
  }

  private async problemBody(response: Response, req: ExpressRequest): Promise<string> {
    const text = await response.text();
    if (text.startsWith(PROBLEM_MARK)) return text.slice(PROBLEM_MARK.length);
    const code = TUS_STATUS_CODES[response.status] ?? (response.status >= 500 ? 'INTERNAL_ERROR' : 'BAD_REQUEST');
    if (code === 'NOT_IMPLEMENTED') {
      // The protocol's own answer to an extension we do not offer (not in Tus-Extension).
      const detail = req.headers['upload-concat']
        ? 'Concatenation (Upload-Concat, parallel uploads) is not supported: disable parallel uploads in the tus client.'
        : `${text.trim() || 'This tus extension is not supported.'}`;
      return JSON.stringify(problemDocument({ status: 501, code, detail }, req.originalUrl));
    }
    if (response.status >= 500) this.logger.error(`tus answered ${response.status}: ${text}`);
    const detail = response.status >= 500 ? 'The upload could not be handled.' : text.trim() || 'Refused.';
    return JSON.stringify(problemDocument({ status: response.status, code, detail }, req.originalUrl));
  }
}

/**
 * Metadata keys that are not upload fields: the owner we record, and what tus clients send
 * on their own about the file (tus-js-client's examples and Uppy: name, type, filetype,
 * relativePath). The file's name is `filename`, else `name`.
 */
const NOT_FIELDS = new Set(['owner', 'filename', 'name', 'type', 'filetype', 'relativePath']);

/** The upload's metadata as upload fields (validated like a multipart upload's). */
const uploadFieldsOf = (upload: Upload) =>
  Object.fromEntries(
    Object.entries(upload.metadata ?? {}).filter(([key, value]) => !NOT_FIELDS.has(key) && value !== null),
  ) as Record<string, string>;

/** `req`'s bytes in a stream whose destruction leaves `req` (and its socket) alone: the rest is drained by lingerIfUnread. */
function detachable(req: ExpressRequest): PassThrough {
  const body = new PassThrough();
  req.pipe(body);
  body.once('close', () => req.unpipe(body));
  return body;
}

/** A failed lookup as no upload, unless the storage is down (that is thrown: 503, never a wrong 404). */
function unlessOutage(error: unknown): null {
  if (isStorageOutage(error)) throw error;
  return null;
}

/** What unfinished uploads hold against their owner's quota: their declared size, else what has arrived. */
const reservedBy = (uploads: Upload[]) => uploads.reduce((sum, u) => sum + (u.size ?? u.offset), 0);

/** tus's locker on SharedLocks (PostgreSQL advisory locks): one writer per upload across processes. */
class SharedTusLocker implements Locker {
  constructor(private readonly locks: SharedLocks) {}

  newLock(id: string): Lock {
    const locks = this.locks;
    let held: { release(): Promise<void> } | undefined;
    return {
      async lock(signal: AbortSignal, requestRelease: RequestRelease) {
        try {
          held = await locks.acquire(tusLockKey(id), {
            signal,
            timeoutMs: 30_000,
            // Another request wants this upload (a client resuming): tus ends this one.
            onReleaseRequested: () => void requestRelease(),
          });
        } catch (error) {
          // eslint-disable-next-line @typescript-eslint/only-throw-error -- tus reads status_code and body from what it catches
          if (error instanceof LockTimeoutError) throw ERRORS.ERR_LOCK_TIMEOUT;
          throw error;
        }
      },
      async unlock() {
        await held?.release();
      },
    };
  }
}

/** Marks a body that already is our problem document (written by a hook). */
const PROBLEM_MARK = '\u0000problem:';

/** A refusal in the shape tus reads from what a hook throws (`status_code`, `body`). */
class TusRefusal extends Error {
  constructor(
    readonly status_code: number,
    readonly body: string,
  ) {
    super(body);
  }
}

function tusError(error: unknown): TusRefusal {
  // The S3 client's own errors for an outage (tus's S3 store), as the storage adapters have them.
  const problem = toProblem(isS3Outage(error) ? new StorageUnavailableError(error) : error);
  const status = PROBLEM_STATUS[problem.code] ?? problem.status;
  return new TusRefusal(status, PROBLEM_MARK + JSON.stringify(problemDocument({ ...problem, status }, '/v1/uploads')));
}
