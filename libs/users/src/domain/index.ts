export * from './role.js';
export * from './user.js';
export * from './refresh-token.js';
export * from './users.errors.js';
export * from './password-policy.js';
export * from './auth-state.js';
export * from './api-key.js';
