import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { rm, stat, unlink } from 'node:fs/promises';
import { PassThrough, type Readable } from 'node:stream';
import {
  CopyObjectCommand,
  CreateBucketCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { publishPlan } from './directory-files.js';
import { isS3Outage, isS3ServiceError, s3ClientConfig, s3ErrorStatus, type S3Settings } from './s3-settings.js';
import {
  assertStorageKey,
  assertStoragePrefix,
  type ByteRange,
  forEachLimited,
  ObjectNotFoundError,
  type ObjectRead,
  type ObjectStat,
  ObjectStorage,
  type PutOptions,
  type PutResult,
  RangeNotSatisfiableError,
  StorageUnavailableError,
  type StoredObject,
} from '#shared-kernel';

const CONTENT_TYPES: Record<string, string> = {
  jpeg: 'image/jpeg',
  jpg: 'image/jpeg',
  png: 'image/png',
  webp: 'image/webp',
  tif: 'image/tiff',
  bmp: 'image/bmp',
  gif: 'image/gif',
  avif: 'image/avif',
  json: 'application/json',
  dzi: 'application/xml',
};
const contentTypeOf = (key: string) => CONTENT_TYPES[key.split('.').pop() ?? ''];

/**
 * ObjectStorage on S3 or any S3-compatible server (AWS SDK v3). Objects appear only when
 * complete (S3 semantics), so every write is atomic; multipart uploads are aborted when the
 * source fails. Keys are validated exactly as by the local adapter.
 */
export class S3ObjectStorage extends ObjectStorage {
  private readonly client: S3Client;

  constructor(private readonly settings: S3Settings) {
    super();
    this.client = s3Client(settings);
  }

  async put(key: string, body: Readable, options: PutOptions = {}): Promise<PutResult> {
    assertStorageKey(key);
    const hash = createHash('sha256');
    let bytes = 0;
    const hashed = new PassThrough();
    body.on('data', (chunk: Buffer) => {
      hash.update(chunk);
      bytes += chunk.length;
    });
    body.on('error', (error) => hashed.destroy(error));
    body.pipe(hashed);
    await this.upload(key, hashed, options.contentType ?? contentTypeOf(key));
    const sha256 = hash.digest('hex');
    // The checksum is known only now: record it as metadata with a server-side self-copy.
    await this.serverSideCopy(key, key, { contentType: options.contentType, sha256 });
    return { bytes, sha256 };
  }

  async copy(from: string, to: string, options: PutOptions = {}): Promise<{ bytes: number }> {
    assertStorageKey(from);
    assertStorageKey(to);
    try {
      await this.serverSideCopy(from, to, options);
    } catch (error) {
      if (isNotFound(error)) throw new ObjectNotFoundError(from);
      throw error;
    }
    const copied = await this.stat(to);
    if (!copied) throw new ObjectNotFoundError(to);
    return { bytes: copied.bytes };
  }

  /** CopyObject (at most 5 GB: S3's limit for one copy) with `options` as the new metadata. */
  private async serverSideCopy(from: string, to: string, options: PutOptions): Promise<void> {
    await this.call(() =>
      this.client.send(
        new CopyObjectCommand({
          Bucket: this.settings.bucket,
          Key: this.fullKey(to),
          CopySource: `${this.settings.bucket}/${this.fullKey(from)}`,
          MetadataDirective: 'REPLACE',
          Metadata: options.sha256 ? { sha256: options.sha256 } : undefined,
          ContentType: options.contentType ?? contentTypeOf(to),
        }),
      ),
    );
  }

  async importFile(key: string, path: string, options: PutOptions = {}): Promise<{ bytes: number }> {
    assertStorageKey(key);
    const { size } = await stat(path);
    await this.upload(
      key,
      createReadStream(path),
      options.contentType ?? contentTypeOf(key),
      options.sha256 ? { sha256: options.sha256 } : undefined,
    );
    await unlink(path);
    return { bytes: size };
  }

  async publishDirectory(prefix: string, directory: string): Promise<number> {
    assertStoragePrefix(prefix);
    const plan = await publishPlan(prefix, directory);
    await forEachLimited(plan, this.settings.publishConcurrency, async ({ file, key }) => {
      const bytes = (await stat(file)).size;
      const body = createReadStream(file);
      // The SDK reads the file and reports its errors; a body it never read (the request
      // failed first) must not turn an open error into an uncaught exception.
      body.on('error', () => undefined);
      try {
        await this.call(() =>
          this.client.send(
            new PutObjectCommand({
              Bucket: this.settings.bucket,
              Key: this.fullKey(key),
              Body: body,
              ContentLength: bytes,
              ContentType: contentTypeOf(key),
            }),
          ),
        );
      } finally {
        body.destroy();
      }
    });
    await rm(directory, { recursive: true, force: true });
    return plan.length;
  }

  async get(key: string, range?: ByteRange): Promise<ObjectRead> {
    assertStorageKey(key);
    try {
      const response = await this.call(() =>
        this.client.send(
          new GetObjectCommand({
            Bucket: this.settings.bucket,
            Key: this.fullKey(key),
            ...(range ? { Range: `bytes=${range.start}-${range.end}` } : {}),
          }),
        ),
      );
      const total = range ? Number(response.ContentRange?.split('/')[1]) : Number(response.ContentLength);
      if (range && (range.end >= total || range.start > range.end)) {
        (response.Body as Readable).destroy();
        throw new RangeNotSatisfiableError(total);
      }
      return { body: response.Body as Readable, bytes: total, ...(range ? { range } : {}) };
    } catch (error) {
      if (isNotFound(error)) throw new ObjectNotFoundError(key);
      if (s3ErrorStatus(error) === 416) {
        throw new RangeNotSatisfiableError((await this.stat(key))?.bytes ?? 0);
      }
      throw error;
    }
  }

  async stat(key: string): Promise<ObjectStat | null> {
    assertStorageKey(key);
    try {
      const head = await this.call(() =>
        this.client.send(new HeadObjectCommand({ Bucket: this.settings.bucket, Key: this.fullKey(key) })),
      );
      return {
        bytes: Number(head.ContentLength),
        modifiedAt: head.LastModified ?? new Date(0),
        sha256: head.Metadata?.sha256,
        contentType: head.ContentType,
      };
    } catch (error) {
      if (isNotFound(error)) return null;
      throw error;
    }
  }

  async *list(prefix: string): AsyncIterable<StoredObject> {
    assertStoragePrefix(prefix);
    let token: string | undefined;
    do {
      const page = await this.call(() =>
        this.client.send(
          new ListObjectsV2Command({
            Bucket: this.settings.bucket,
            Prefix: this.fullKey(prefix),
            ContinuationToken: token,
          }),
        ),
      );
      for (const object of page.Contents ?? []) {
        yield { key: object.Key!.slice(this.settings.keyPrefix.length), bytes: Number(object.Size ?? 0) };
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
  }

  async delete(key: string): Promise<void> {
    assertStorageKey(key);
    await this.call(() =>
      this.client.send(new DeleteObjectCommand({ Bucket: this.settings.bucket, Key: this.fullKey(key) })),
    );
  }

  async deletePrefix(prefix: string): Promise<number> {
    assertStoragePrefix(prefix);
    let deleted = 0;
    let batch: string[] = [];
    const flush = async () => {
      if (batch.length === 0) return;
      const objects = batch.map((key) => ({ Key: this.fullKey(key) }));
      batch = [];
      const result = await this.call(() =>
        this.client.send(
          new DeleteObjectsCommand({ Bucket: this.settings.bucket, Delete: { Objects: objects, Quiet: true } }),
        ),
      );
      if (result.Errors?.length)
        throw new Error(`S3 refused to delete ${result.Errors.length} object(s): ${result.Errors[0]?.Message}`);
      deleted += objects.length;
    };
    for await (const object of this.list(prefix)) {
      batch.push(object.key);
      if (batch.length === 1000) await flush();
    }
    await flush();
    return deleted;
  }

  /** Closes the client's connections (on shutdown). */
  override close(): void {
    this.client.destroy();
  }

  async checkHealth(): Promise<void> {
    try {
      await this.call(() => this.client.send(new HeadBucketCommand({ Bucket: this.settings.bucket })));
    } catch (error) {
      if (!isNotFound(error)) throw error;
      if (!this.settings.createBucket) {
        throw new Error(
          `S3 bucket "${this.settings.bucket}" does not exist. Create it, or set S3_CREATE_BUCKET=true.`,
          {
            cause: error,
          },
        );
      }
      await this.call(() => this.client.send(new CreateBucketCommand({ Bucket: this.settings.bucket })));
    }
  }

  private async upload(
    key: string,
    body: Readable,
    contentType: string | undefined,
    metadata?: Record<string, string>,
  ): Promise<void> {
    // When the source fails, that is the cause to report, not whatever the clean-up answered.
    let sourceError: unknown;
    body.once('error', (error) => (sourceError = error));
    // Multipart above one part's size; lib-storage aborts the multipart upload if `body` fails.
    const upload = new Upload({
      client: this.client,
      params: {
        Bucket: this.settings.bucket,
        Key: this.fullKey(key),
        Body: body,
        ContentType: contentType,
        Metadata: metadata,
      },
      partSize: this.settings.partSizeBytes,
      queueSize: 4,
      leavePartsOnError: false,
    });
    try {
      await this.call(() => upload.done());
    } catch (error) {
      throw sourceError ?? error;
    }
  }

  private fullKey(key: string): string {
    return this.settings.keyPrefix + key;
  }

  private call<T>(work: () => Promise<T>): Promise<T> {
    return callS3(work);
  }
}

/** A client for `settings`' bucket, at `endpoint` (the settings' own by default). */
export function s3Client(settings: S3Settings, endpoint = settings.endpoint): S3Client {
  return new S3Client(s3ClientConfig(settings, endpoint));
}

/** Runs an S3 call, turning "the server is not there" (or failing: 5xx) into StorageUnavailableError. */
export async function callS3<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (isS3Outage(error)) throw new StorageUnavailableError(error);
    throw error;
  }
}

export function isNotFound(error: unknown): boolean {
  return (
    isS3ServiceError(error) &&
    (error.$metadata.httpStatusCode === 404 ||
      error.name === 'NoSuchKey' ||
      error.name === 'NotFound' ||
      error.name === 'NoSuchBucket')
  );
}
