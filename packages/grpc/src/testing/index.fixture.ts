export * from './grpc-test-server.fixture.js';
export * from './reflection-client.fixture.js';
export * from './grpc-calls.fixture.js';
export * from './grpc-scenario.fixture.js';
export * from './watch-client.fixture.js';
export * from './status-details.fixture.js';
