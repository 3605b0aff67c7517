export * from './collection.js';
export * from './collections.errors.js';
