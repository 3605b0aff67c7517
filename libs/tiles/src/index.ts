export * from './domain/index.js';
export * from './application/ports/tile-set.repository.port.js';
export * from './application/jobs.js';
export * from './application/ports/pyramid-tiler.port.js';
export * from './application/use-cases/requeue-queued-tile-sets.use-case.js';
export * from './application/use-cases/generate-tile-set.use-case.js';
export * from './tiles.module.js';
