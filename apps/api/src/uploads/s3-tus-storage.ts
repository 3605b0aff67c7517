import type { Readable } from 'node:stream';
import { type MetadataValue, S3Store } from '@tus/s3-store';
import { ERRORS, type KvStore, type Upload } from '@tus/server';
import type { ObjectStorage, SharedLocks } from '#shared-kernel';
import { s3ClientConfig, type S3Settings } from '#storage';
import { TusStorage, tusLockKey, UPLOAD_ID } from './tus-storage.js';

/**
 * tus's S3 store in the storage bucket (STORAGE_DRIVER=s3), under
 * `{S3_KEY_PREFIX}tus/{ownerId}/`: per upload a multipart upload (its parts), `{uuid}.info`
 * (size, metadata) and `{uuid}.part` (the tail of a PATCH too short for a part, at most 5
 * MiB), so any API instance can take an upload's next request. The owner in the key lets a
 * new upload count its owner's others with one listing of their prefix, not a read of every
 * upload in the bucket (four requests each). A finished upload is the object `{uuid}`,
 * copied server-side into storage by the ingest. See TusS3Store.
 */
export class S3TusStorage extends TusStorage {
  readonly store: TusS3Store;
  /** `{S3_KEY_PREFIX}tus/`: every store id starts with it. */
  private readonly base: string;

  constructor(
    settings: S3Settings,
    expiryMs: number,
    maxUploadBytes: number,
    private readonly objects: ObjectStorage,
    locks: SharedLocks,
  ) {
    super();
    this.base = `${settings.keyPrefix}tus/`;
    this.store = new TusS3Store(settings, { expiryMs, maxUploadBytes }, objects, locks);
  }

  init(): Promise<void> {
    return Promise.resolve();
  }

  idOf(ownerId: string, uuid: string): string {
    // Both are ours (a user id and a UUID we made or checked): never a path of another's.
    if (!UPLOAD_ID.test(ownerId) || !UPLOAD_ID.test(uuid)) throw new Error('not an upload of ours');
    return `${this.base}${ownerId}/${uuid}`;
  }

  uuidOf(id: string): string | null {
    const [ownerId, uuid, ...more] = id.startsWith(this.base) ? id.slice(this.base.length).split('/') : [];
    return more.length === 0 && UPLOAD_ID.test(ownerId ?? '') && UPLOAD_ID.test(uuid ?? '') ? uuid : null;
  }

  idsOf(ownerId: string): Promise<string[]> {
    return this.store.ids(`${ownerId}/`);
  }

  async content(upload: Upload): Promise<{ content: Readable; storedAt: string }> {
    const key = this.store.objectKey(upload.id);
    return { content: (await this.objects.get(key)).body, storedAt: key };
  }

  discard(id: string): Promise<void> {
    return this.store.remove(id).catch(() => undefined);
  }
}

/** Parts of tus uploads on S3 being sent at once by one process, all uploads together. */
export const TUS_S3_PARTS_AT_ONCE = 4;

/**
 * A cache that keeps nothing: the S3 store's default (a Map per process) would answer an
 * upload's size and metadata as this process last saw them, stale once another instance
 * has written them (a deferred length declared there).
 */
const NO_CACHE: KvStore<MetadataValue> = {
  get: () => Promise.resolve(undefined),
  set: () => Promise.resolve(),
  delete: () => Promise.resolve(),
};

/**
 * @tus/s3-store with what a shared bucket needs: no object tags (S3-compatible servers lack
 * them; expiry is read from the info objects), parts sized for UPLOAD_MAX_BYTES when the
 * length is deferred (the store's default assumes 5 TiB: 550 MB parts buffered on disk),
 * removal of everything an upload left (the store's own leaves the `.part` object, and fails
 * on a finished upload), and an expiry sweep over this prefix's info objects only (the
 * store's own lists every multipart upload in the bucket, other writers' included).
 */
class TusS3Store extends S3Store {
  /** The bucket's prefix: S3 keys are this plus ObjectStorage's keys (`tus/...`). */
  private readonly prefix: string;
  private readonly maxUploadBytes: number;

  constructor(
    settings: S3Settings,
    { expiryMs, maxUploadBytes }: { expiryMs: number; maxUploadBytes: number },
    private readonly objects: ObjectStorage,
    private readonly locks: SharedLocks,
  ) {
    super({
      s3ClientConfig: { bucket: settings.bucket, ...s3ClientConfig(settings) },
      partSize: settings.partSizeBytes,
      expirationPeriodInMilliseconds: expiryMs,
      useTags: false,
      cache: NO_CACHE,
      // Each part waits in TMPDIR until it is sent; the store's default (60 at once per
      // process) lets a fast client on a slow bucket fill 60 parts of disk. A PATCH waits for
      // a place (its body is not read meanwhile), so TMPDIR holds at most this many parts.
      maxConcurrentPartUploads: TUS_S3_PARTS_AT_ONCE,
    });
    this.prefix = settings.keyPrefix;
    this.maxUploadBytes = maxUploadBytes;
  }

  /** The ObjectStorage key (without the bucket's prefix) of what the store keeps at `id`. */
  objectKey(id: string): string {
    return id.slice(this.prefix.length);
  }

  /** The store ids of the uploads held (under `tus/{under}`): their info objects' keys. */
  async ids(under = ''): Promise<string[]> {
    const ids: string[] = [];
    for await (const object of this.objects.list(`tus/${under}`)) {
      if (object.key.endsWith('.info')) ids.push(this.prefix + object.key.slice(0, -'.info'.length));
    }
    return ids;
  }

  /** The store's "not found" for any failure to read the info object, unless the bucket is down (then StorageUnavailableError). */
  override async getUpload(id: string): Promise<Upload> {
    try {
      return await super.getUpload(id);
    } catch (error) {
      if (error === ERRORS.FILE_NOT_FOUND) await this.objects.stat(this.objectKey(this.infoKey(id)));
      throw error;
    }
  }

  protected override calcOptimalPartSize(size?: number): number {
    return super.calcOptimalPartSize(size ?? this.maxUploadBytes);
  }

  override async remove(id: string): Promise<void> {
    const { 'upload-id': uploadId } = await this.getMetadata(id).catch(() => {
      // eslint-disable-next-line @typescript-eslint/only-throw-error -- tus answers its own errors by their status_code
      throw ERRORS.FILE_NOT_FOUND;
    });
    await this.client.abortMultipartUpload({ Bucket: this.bucket, Key: id, UploadId: uploadId }).catch((error) => {
      // Completed (or aborted) already: its object, if any, goes below.
      if ((error as { name?: string }).name !== 'NoSuchUpload') throw error;
    });
    await Promise.all(
      [this.objectKey(id), this.objectKey(this.partKey(id, true))].map((key) => this.objects.delete(key)),
    );
    // Last: while the info object is there, the sweep finds the upload and tries again.
    await this.objects.delete(this.objectKey(this.infoKey(id)));
  }

  /**
   * Removes uploads past their expiry, finished or not (a finished one is removed by its
   * request once ingested; one left by a crash goes here), each under its tus lock taken only
   * if free: a request writing or finishing it keeps it to the next sweep.
   */
  override async deleteExpired(): Promise<number> {
    const expiry = this.getExpiration();
    if (expiry === 0) return 0;
    let removed = 0;
    for (const id of await this.ids()) {
      // The info object alone (its creation date): no ListParts, as getUpload would make.
      const created = (await this.getMetadata(id).catch(() => null))?.file.creation_date;
      if (!created || Date.now() <= new Date(created).getTime() + expiry) continue;
      const held = await this.locks.acquire(tusLockKey(id), { timeoutMs: 0, quiet: true }).catch(() => null);
      if (!held) continue;
      try {
        await this.remove(id);
        removed++;
      } finally {
        await held.release();
      }
    }
    return removed;
  }
}
