export * from './test-databases.js';
export * from './test-stores.js';
