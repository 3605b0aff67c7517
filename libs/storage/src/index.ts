export * from './local-object-storage.js';
export * from './storage.module.js';
export * from './file-system-upload-staging.js';
export * from './s3-settings.js';
// The S3 adapters load the AWS SDK: import them from #storage/s3 (StorageModule does, lazily).
export type { S3ObjectStorage } from './s3-object-storage.js';
export type { S3DirectUploads } from './s3-direct-uploads.js';
