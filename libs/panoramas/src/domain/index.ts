export * from './image-format.js';
export * from './filename.js';
export * from './panorama.js';
export * from './panoramas.errors.js';
export * from './quota.js';
export * from './projection.js';
