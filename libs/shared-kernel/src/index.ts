export * from './domain-error.js';
export * from './clock.port.js';
export * from './ids.js';
export * from './pagination.js';
export * from './job-queue.port.js';
export * from './storage/index.js';
export * from './actor.js';
export * from './concurrency.js';
