import { AppConfig } from '#config';
import { ObjectStorage, SharedLocks } from '#shared-kernel';
import { s3Settings } from '#storage';
import { LocalTusStorage, TusStorage } from './tus-storage.js';

/**
 * The TusStorage of STORAGE_DRIVER: this machine's disk (UPLOAD_RESUMABLE_DIR) with local
 * storage, the bucket with S3. The S3 store (and the AWS SDK) is loaded only for S3.
 */
export async function tusStorageFor(
  config: AppConfig,
  objects: ObjectStorage,
  locks: SharedLocks,
): Promise<TusStorage> {
  const expiryMs = config.UPLOAD_RESUMABLE_EXPIRY_HOURS * 3_600_000;
  if (config.STORAGE_DRIVER !== 's3') return new LocalTusStorage(config.UPLOAD_RESUMABLE_DIR, expiryMs);
  const { S3TusStorage } = await import('./s3-tus-storage.js');
  return new S3TusStorage(s3Settings(config), expiryMs, config.UPLOAD_MAX_BYTES, objects, locks);
}

/** Binds TusStorage for ResumableUploads (a provider of the API module). */
export const TUS_STORAGE_PROVIDER = {
  provide: TusStorage,
  inject: [AppConfig, ObjectStorage, SharedLocks],
  useFactory: tusStorageFor,
};
