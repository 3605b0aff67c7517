export * from './local-object-storage.js';
export * from './storage.module.js';
export * from './file-system-upload-staging.js';
export * from './s3-object-storage.js';
export * from './s3-direct-uploads.js';
