export * from './app-config.js';
export * from './bootstrap-logger.js';
export * from './config.module.js';
export * from './load-env-file.js';
export * from './logger.module.js';
export * from './shutdown.js';
export * from './prometheus-metrics.js';
export * from './metrics-access.js';
