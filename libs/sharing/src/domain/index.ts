export * from './share-link.js';
export * from './sharing.errors.js';
