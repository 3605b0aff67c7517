export * from './mikro-orm.config.js';
export * from './database-migrations.js';
export * from './persistence.module.js';
export * from './schemas/index.js';
export * from './database-unavailable.js';
