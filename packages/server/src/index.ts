export * from './app.js';
export { defaultEdgeOptions, type EdgeOptions } from './edge/edge-options.js';
export * from './http/log.js';
export * from './http/log-output.js';
export * from './http/error-body.js';
export { matchesEtag } from './static-files.js';
export * from './auth/request-principal.js';
export * from './auth/principal-resolver.js';
export * from './tls/index.js';
