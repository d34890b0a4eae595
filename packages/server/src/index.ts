export * from './app.js';
export { defaultEdgeOptions, type EdgeOptions } from './edge/edge-options.js';
export * from './log.js';
export * from './log-output.js';
export * from './error-body.js';
export { matchesEtag } from './static-files.js';
export * from './auth/request-principal.js';
export * from './auth/principal-resolver.js';
export * from './tls/index.js';
