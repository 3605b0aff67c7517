export * from './local-object-storage.js';
export * from './storage.module.js';
