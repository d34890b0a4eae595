export * from './test-databases.fixture.js';
export * from './test-stores.fixture.js';
