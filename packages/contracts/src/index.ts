export * from './api.js';
export * from './events.js';
export * from './money.js';
export * from './service-grants.js';
