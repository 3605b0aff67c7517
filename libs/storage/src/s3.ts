/** The S3 adapters, apart from #storage: importing them loads the AWS SDK. */
export * from './s3-object-storage.js';
export * from './s3-direct-uploads.js';
