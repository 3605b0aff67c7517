import type { S3ClientConfig } from '@aws-sdk/client-s3';
import type { AppConfig } from '#config';

/**
 * What every S3 client of the service is made from, and how an S3 failure is read. Nothing
 * here loads the AWS SDK (its types only): a process on local storage never loads it, and
 * the S3 adapters are imported when STORAGE_DRIVER=s3 asks for them (see StorageModule).
 */
export interface S3Settings {
  bucket: string;
  region: string;
  /** Custom endpoint for S3-compatible servers (MinIO, s3rver...). */
  endpoint?: string;
  accessKeyId?: string;
  secretAccessKey?: string;
  /** Prepended to every key (`tessera/`), so a bucket can be shared. */
  keyPrefix: string;
  forcePathStyle: boolean;
  createBucket: boolean;
  /** Streams above this go up as multipart uploads, in parts of this size. */
  partSizeBytes: number;
  /** Parallel PUTs when publishing a directory of tiles. */
  publishConcurrency: number;
}

export const s3Settings = (config: AppConfig): S3Settings => ({
  bucket: config.S3_BUCKET!,
  region: config.S3_REGION,
  endpoint: config.S3_ENDPOINT,
  accessKeyId: config.S3_ACCESS_KEY_ID,
  secretAccessKey: config.S3_SECRET_ACCESS_KEY,
  keyPrefix: config.S3_KEY_PREFIX,
  forcePathStyle: config.S3_FORCE_PATH_STYLE,
  createBucket: config.S3_CREATE_BUCKET,
  partSizeBytes: config.S3_PART_SIZE_BYTES,
  publishConcurrency: config.S3_PUBLISH_CONCURRENCY,
});

/** The client settings of every S3 client the service makes (ours, and tus's S3 store's). */
export function s3ClientConfig(settings: S3Settings, endpoint = settings.endpoint): S3ClientConfig {
  return {
    region: settings.region,
    endpoint,
    forcePathStyle: settings.forcePathStyle,
    ...(settings.accessKeyId && settings.secretAccessKey
      ? { credentials: { accessKeyId: settings.accessKeyId, secretAccessKey: settings.secretAccessKey } }
      : {}),
    // Only the checksums S3 requires: many S3-compatible servers reject the newer ones.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    maxAttempts: 3,
  };
}

/** Network-level failures: the server is down or unreachable, not the request wrong. */
const UNAVAILABLE = /ECONNREFUSED|ECONNRESET|ETIMEDOUT|EHOSTUNREACH|ENOTFOUND|EPIPE|socket hang up|TimeoutError/i;

/** What the SDK's `S3ServiceException` and its subclasses (`NoSuchKey`...) carry. */
export type S3ServiceError = Error & { $fault: 'client' | 'server'; $metadata: { httpStatusCode?: number } };

/**
 * An error S3 answered (the SDK's `S3ServiceException` or a subclass), told by its shape, as
 * the SDK's own `ServiceException.isInstance` does, so that this module need not load the SDK.
 */
export function isS3ServiceError(error: unknown): error is S3ServiceError {
  return error instanceof Error && '$fault' in error && '$metadata' in error;
}

/** The HTTP status S3 answered with, or undefined for anything but an S3 service error. */
export function s3ErrorStatus(error: unknown): number | undefined {
  return isS3ServiceError(error) ? error.$metadata?.httpStatusCode : undefined;
}

/** An S3 call's failure that says the server is not there (or failing: 5xx), not that the request is wrong. */
export function isS3Outage(error: unknown): boolean {
  const status = s3ErrorStatus(error);
  if (status) return status >= 500;
  const text = `${(error as Error)?.name ?? ''} ${(error as Error)?.message ?? ''} ${String((error as { code?: string })?.code ?? '')}`;
  return UNAVAILABLE.test(text);
}
