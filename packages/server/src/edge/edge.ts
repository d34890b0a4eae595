import type { FastifyInstance } from 'fastify';
import { applyServerLimits, type EdgeOptions } from './edge-options.js';
import { installCors } from './cors.js';
import { installSecurityHeaders } from './security-headers.js';
import { installNulGuard } from './nul-guard.js';

/**
 * Installs the edge policies that run before everything else: server limits, security
 * headers, CORS (preflights are answered here) and the refusal of NULs in URLs. Compression is installed separately,
 * after HTTP caching has tagged the identity bytes.
 */
export function installEdge(app: FastifyInstance, edge: EdgeOptions, trustedOrigins: readonly string[]): void {
  applyServerLimits(app.server, edge);
  installSecurityHeaders(app);
  installCors(app, { corsOrigins: edge.corsOrigins, trustedOrigins });
  installNulGuard(app);
}
