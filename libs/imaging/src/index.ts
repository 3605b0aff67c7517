export * from './sharp-image-processor.js';
export * from './imaging.module.js';
export * from './sharp-pyramid-tiler.js';
export * from './sharp-rendition-renderer.js';
export * from './sharp-render.js';
export * from './sharp-region-renderer.js';
export * from './bmp.js';
