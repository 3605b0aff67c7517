export * from './pg-boss-job-queue.js';
export * from './queue.module.js';
