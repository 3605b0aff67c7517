export * from './domain/index.js';
export * from './application/ports/share-link.repository.port.js';
export * from './application/sharing.settings.js';
export * from './application/revoked-share-links.service.js';
export * from './application/share-link-use.service.js';
export * from './application/use-cases/share-links.use-case.js';
export * from './sharing.module.js';
