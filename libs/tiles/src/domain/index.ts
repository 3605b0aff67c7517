export * from './tile-options.js';
export * from './tile-set.js';
export * from './tiles.errors.js';
export * from './pyramid.js';
export * from './manifest.js';
export * from './iiif.js';
