export * from './test-app.js';
export * from './blog-fixture.js';
export * from './scenario.js';
export * from './http-client.js';
export * from './test-principals.js';
export * from './blog-reset.js';
export * from './ws-client.js';
export * from './test-certificates.js';
