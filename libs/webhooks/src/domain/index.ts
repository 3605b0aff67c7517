export * from './webhook.js';
export * from './webhooks.errors.js';
