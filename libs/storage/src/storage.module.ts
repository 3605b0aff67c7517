import { Global, Injectable, Logger, Module, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { AppConfig } from '#config';
import { UploadStaging } from '#panoramas';
import { ObjectStorage } from '#shared-kernel';
import { FileSystemUploadStaging } from './file-system-upload-staging.js';
import { LocalObjectStorage } from './local-object-storage.js';
import { S3ObjectStorage, type S3Settings } from './s3-object-storage.js';

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

const STALE_UPLOAD_MS = 24 * 3_600_000;

/** At start-up: the storage answers (else start-up fails), and stale staged uploads go. */
@Injectable()
class StorageStartup implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Storage');

  constructor(
    private readonly storage: ObjectStorage,
    private readonly staging: FileSystemUploadStaging,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.storage.checkHealth();
    const swept = await this.staging.sweep(STALE_UPLOAD_MS);
    if (swept > 0) this.logger.log(`Removed ${swept} staged upload(s) older than a day`);
  }

  onApplicationShutdown(): void {
    if (this.storage instanceof S3ObjectStorage) this.storage.close();
  }
}

/**
 * Binds the ObjectStorage port to the adapter STORAGE_DRIVER names (the HTTP contract is
 * the same whatever the driver), and UploadStaging to temp files in UPLOAD_TMP_DIR.
 */
@Global()
@Module({
  providers: [
    {
      provide: ObjectStorage,
      inject: [AppConfig],
      useFactory: (config: AppConfig): ObjectStorage => {
        switch (config.STORAGE_DRIVER) {
          case 'local':
            return new LocalObjectStorage(config.STORAGE_LOCAL_ROOT);
          case 's3':
            return new S3ObjectStorage(s3Settings(config));
        }
      },
    },
    { provide: FileSystemUploadStaging, inject: [AppConfig], useFactory: (config: AppConfig) => new FileSystemUploadStaging(config.UPLOAD_TMP_DIR) },
    { provide: UploadStaging, useExisting: FileSystemUploadStaging },
    StorageStartup,
  ],
  exports: [ObjectStorage, UploadStaging],
})
export class StorageModule {}
