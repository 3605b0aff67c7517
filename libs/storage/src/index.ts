export * from './local-object-storage.js';
export * from './storage.module.js';
export * from './file-system-upload-staging.js';
