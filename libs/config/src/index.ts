export * from './app-config.js';
export * from './config.module.js';
export * from './load-env-file.js';
export * from './logger.module.js';
export * from './shutdown.js';
