export * from './application/ingest/jobs.js';
export * from './application/ingest/ingest-panorama.use-case.js';
export * from './application/catalogue/panorama-catalogue.use-case.js';
export * from './application/integrity/check-full-integrity.use-case.js';
export * from './workflows.module.js';
