import {
  Global,
  Injectable,
  Logger,
  Module,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { AppConfig } from '#config';
import { UploadStaging } from '#panoramas';
import { DirectUploadStorage, Metrics, NoDirectUploads, ObjectStorage } from '#shared-kernel';
import { MeteredObjectStorage } from './metered-object-storage.js';
import { FileSystemUploadStaging } from './file-system-upload-staging.js';
import { LocalObjectStorage } from './local-object-storage.js';
import { s3Settings } from './s3-settings.js';

/**
 * At start-up the storage must answer (else start-up fails). Then, on every process and
 * every TEMP_SWEEP_INTERVAL_SECONDS, staged uploads nobody owns any more go: a file untouched
 * for longer than a request may last (HTTP_REQUEST_TIMEOUT_SECONDS) belongs to no live
 * request, here or in another process on this machine (its process was killed mid-upload).
 */
@Injectable()
class StorageLifecycle implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Storage');
  private sweeping?: NodeJS.Timeout;

  constructor(
    private readonly storage: ObjectStorage,
    private readonly directUploads: DirectUploadStorage,
    private readonly staging: FileSystemUploadStaging,
    private readonly config: AppConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.storage.checkHealth();
    await this.sweep();
    this.sweeping = setInterval(() => void this.sweep(), this.config.TEMP_SWEEP_INTERVAL_SECONDS * 1000).unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.sweeping);
    this.storage.close();
    this.directUploads.close();
  }

  private async sweep(): Promise<void> {
    try {
      const removed = await this.staging.sweep(this.config.HTTP_REQUEST_TIMEOUT_SECONDS * 1000);
      if (removed > 0) {
        this.logger.log(
          `Removed ${removed} orphaned staged upload(s), untouched for more than ${this.config.HTTP_REQUEST_TIMEOUT_SECONDS} s`,
        );
      }
    } catch (error) {
      this.logger.warn({ err: error }, 'Sweeping staged uploads failed');
    }
  }
}

/**
 * The ObjectStorage adapter STORAGE_DRIVER names, with its settings, metered. The S3 adapter
 * (and with it the AWS SDK) is loaded only when asked for: on local storage an idle API or
 * worker process holds about 5 MiB less (docs/architecture.md, "Storage, database and jobs").
 */
export async function objectStorageFor(config: AppConfig, metrics: Metrics): Promise<ObjectStorage> {
  const adapter =
    config.STORAGE_DRIVER === 's3'
      ? new (await import('./s3-object-storage.js')).S3ObjectStorage(s3Settings(config))
      : new LocalObjectStorage(config.STORAGE_LOCAL_ROOT, { reads: config.STORAGE_LOCAL_READS });
  return new MeteredObjectStorage(adapter, metrics);
}

/** S3's multipart uploads for clients that send straight to the bucket, or none on local storage. */
export async function directUploadStorageFor(config: AppConfig): Promise<DirectUploadStorage> {
  if (config.STORAGE_DRIVER !== 's3') return new NoDirectUploads();
  const { S3DirectUploads } = await import('./s3-direct-uploads.js');
  return new S3DirectUploads(s3Settings(config), config.S3_PUBLIC_ENDPOINT);
}

/**
 * Binds the ObjectStorage port to the adapter STORAGE_DRIVER names (the HTTP contract is
 * the same whatever the driver), DirectUploadStorage to S3's multipart uploads (or to none
 * on local storage), and UploadStaging to temp files in UPLOAD_TMP_DIR.
 */
@Global()
@Module({
  providers: [
    { provide: ObjectStorage, inject: [AppConfig, Metrics], useFactory: objectStorageFor },
    { provide: DirectUploadStorage, inject: [AppConfig], useFactory: directUploadStorageFor },
    {
      provide: FileSystemUploadStaging,
      inject: [AppConfig, Metrics],
      useFactory: (config: AppConfig, metrics: Metrics) => new FileSystemUploadStaging(config.UPLOAD_TMP_DIR, metrics),
    },
    { provide: UploadStaging, useExisting: FileSystemUploadStaging },
    StorageLifecycle,
  ],
  exports: [ObjectStorage, UploadStaging, DirectUploadStorage],
})
export class StorageModule {}
