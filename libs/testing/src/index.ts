export * from './test-database.js';
export * from './in-memory-users.js';
export * from './forged-tokens.js';
export * from './tcp-proxy.js';
export * from './object-storage.contract.js';
export * from './images.js';
export * from './in-memory-panoramas.js';
export * from './s3-server.js';
