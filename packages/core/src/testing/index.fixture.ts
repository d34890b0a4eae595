export * from './test-databases.fixture.js';
export * from './test-stores.fixture.js';
export * from './s3-server.fixture.js';
export * from './test-redis.fixture.js';
export * from './backup-zip.fixture.js';
export * from './request-log-input.fixture.js';
export * from './until.fixture.js';
