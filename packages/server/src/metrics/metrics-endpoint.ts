import { timingSafeEqual, hash } from 'node:crypto';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AppError } from '@tandem/core';
import { principalOf } from '../auth/request-principal.js';
import { responseMetaOf } from '../cache/response-meta.js';
import { HttpMetrics } from './http-metrics.js';
import { renderMetrics } from './metrics-exposition.js';

/** What the metrics endpoint reads and who may read it. */
export interface MetricsOptions {
  /** A bearer token that lets a scraper read the metrics (superusers always can). */
  readonly token?: string;
  /** The realtime broker's counts, when realtime is served. */
  readonly realtime?: { readonly size: number; readonly messagesSent: number };
  /** The log output's count of dropped lines, when the log goes somewhere that can fail. */
  readonly log?: { readonly droppedLines: number };
}

const RECORD_READ = /^\/api\/collections\/:collection\/records(?:\/:id)?$/;
const UNMATCHED = '<unmatched>';

/**
 * Counts every response in one `onResponse` hook and serves them at `GET /api/metrics`
 * in Prometheus' text format, to superusers or to a bearer of the metrics token. Routes
 * are labelled by their pattern (`/api/collections/:collection/records/:id`), never the
 * raw URL, so the series stay few; anything no route matched is `<unmatched>`.
 */
export function installMetrics(app: FastifyInstance, options: MetricsOptions): void {
  const http = new HttpMetrics();
  const eventLoop = monitorEventLoopDelay({ resolution: 20 });
  eventLoop.enable();
  app.addHook('onClose', (_app, done) => (eventLoop.disable(), done()));
  app.addHook('onResponse', (request, reply, done) => {
    const route = request.routeOptions.url ?? UNMATCHED;
    const meta = responseMetaOf(request);
    http.observe(request.method, route, reply.statusCode, reply.elapsedTime / 1000, meta ? meta.dbMs / 1000 : 0);
    if (meta && (request.method === 'GET' || request.method === 'HEAD') && RECORD_READ.test(route)) http.cache[meta.cache]++;
    done();
  });
  const canRead = metricsReader(options.token);
  app.get('/api/metrics', async (request, reply) => {
    if (!canRead(request)) throw new AppError(principalOf(request).kind === 'guest' ? 'AUTH_REQUIRED' : 'SUPERUSER_ONLY');
    return reply.header('content-type', 'text/plain; version=0.0.4; charset=utf-8').header('cache-control', 'no-store').send(renderMetrics({ http, realtime: options.realtime, log: options.log, eventLoop }));
  });
}

/** True for a superuser, or for a request that carries `Authorization: Bearer <token>`. */
function metricsReader(token: string | undefined): (request: FastifyRequest) => boolean {
  // Digests of equal length, so the comparison takes the same time whatever was sent.
  const expected = token ? hash('sha256', token, 'buffer') : undefined;
  return (request) => {
    if (principalOf(request).kind === 'superuser') return true;
    const header = request.headers.authorization;
    if (!expected || header === undefined || !/^Bearer /i.test(header)) return false;
    return timingSafeEqual(hash('sha256', header.slice(7).trim(), 'buffer'), expected);
  };
}
