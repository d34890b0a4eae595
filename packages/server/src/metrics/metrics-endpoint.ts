import { timingSafeEqual, hash } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Registry } from 'prom-client';
import { AppError } from '@tandem/core';
import { principalOf } from '../auth/request-principal.js';
import { responseMetaOf } from '../http/response-meta.js';
import { HttpMetrics } from './http-metrics.js';
import { registerRuntimeMetrics, type RuntimeMetrics, type RuntimeSources } from './runtime-metrics.js';

/** What the metrics endpoint reads (the realtime broker's counts, the log's drops) and who may read it. */
export interface MetricsOptions extends RuntimeSources {
  /** A bearer token that lets a scraper read the metrics (superusers always can). */
  readonly token?: string;
}

/** The route patterns of record reads, whose cache outcomes are counted (a set: no regex per response). */
const RECORD_READS: ReadonlySet<string> = new Set([
  '/api/collections/:collection/records',
  '/api/collections/:collection/records/:id',
]);
const UNMATCHED = '<unmatched>';

/** An app's metrics: the registry the endpoint serves and the HTTP counts kept in it. */
export interface AppMetrics {
  readonly registry: Registry;
  readonly http: HttpMetrics;
}

/** A fresh registry with the HTTP counts in it (one per app). */
export function createAppMetrics(): AppMetrics {
  const registry = new Registry();
  return { registry, http: new HttpMetrics(registry) };
}

/**
 * Counts every response in one `onResponse` hook and serves the app's metrics at
 * `GET /api/metrics` in Prometheus' text format (prom-client, one registry per app), to
 * superusers or to a bearer of the metrics token. Routes are labelled by their pattern
 * (`/api/collections/:collection/records/:id`), never the raw URL, so the series stay
 * few; anything no route matched is `<unmatched>`.
 */
export function installMetrics(app: FastifyInstance, { registry, http }: AppMetrics, options: MetricsOptions): void {
  const runtime = registerRuntimeMetrics(registry, options);
  app.addHook('onClose', (_app, done) => (runtime.stop(), done()));
  app.addHook('onResponse', (request, reply, done) => {
    const route = request.routeOptions.url ?? UNMATCHED;
    const meta = responseMetaOf(request);
    http.observe(request.method, route, reply.statusCode, reply.elapsedTime / 1000, meta ? meta.dbMs / 1000 : 0);
    if (meta && (request.method === 'GET' || request.method === 'HEAD') && RECORD_READS.has(route))
      http.countCache(meta.cache);
    done();
  });
  const canRead = metricsReader(options.token);
  app.get('/api/metrics', async (request, reply) => {
    if (!canRead(request))
      throw new AppError(principalOf(request).kind === 'guest' ? 'AUTH_REQUIRED' : 'SUPERUSER_ONLY');
    const text = await scrape(registry, runtime);
    return reply.header('content-type', registry.contentType).header('cache-control', 'no-store').send(text);
  });
}

/** Every metric as exposition text; the event-loop figures then start a new window. */
async function scrape(registry: Registry, runtime: RuntimeMetrics): Promise<string> {
  try {
    return await registry.metrics();
  } finally {
    runtime.newWindow();
  }
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
