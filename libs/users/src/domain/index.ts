export * from './role.js';
export * from './user.js';
export * from './refresh-token.js';
export * from './users.errors.js';
