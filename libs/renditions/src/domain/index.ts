export * from './rendition-spec.js';
export * from './rendition.js';
export * from './presets.js';
export * from './renditions.errors.js';
