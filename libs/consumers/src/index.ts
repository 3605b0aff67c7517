export * from './consumers.module.js';
