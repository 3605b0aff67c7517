export * from './domain/index.js';
export * from './application/collections.settings.js';
export * from './application/collection-members.service.js';
export * from './application/collection-watch.service.js';
export * from './application/ports/collection.repository.port.js';
export * from './application/use-cases/collections.use-case.js';
export * from './application/use-cases/settle-collections.use-case.js';
export * from './collections.module.js';
