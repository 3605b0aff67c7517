export * from './object-storage.port.js';
export * from './storage.errors.js';
export * from './integrity.js';
export * from './direct-upload-storage.port.js';
