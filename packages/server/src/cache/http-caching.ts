import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { principalOf } from '../auth/request-principal.js';
import { entityTagOf, ifNoneMatchMatches } from '../http/entity-tags.js';
import {
  declareResponseMeta,
  responseMetaOf,
  startResponseMeta,
  type CacheOutcome,
  type ResponseMeta,
} from '../http/response-meta.js';
import { appendVary } from '../http/vary.js';
import { HttpTrace, idleTracer, type RequestTracer } from '../http/request-trace.js';

/**
 * HTTP caching semantics and Server-Timing for every response:
 * - JSON and XML GET/HEAD answers with status 200 get a strong `ETag` (of the bytes sent,
 *   after the `fields` picker), `Vary: Accept, Authorization, Cookie`, and `Cache-Control: no-cache`
 *   (`private, no-cache` when they are for one principal); a matching `If-None-Match`
 *   turns them into a 304 without a body. No `Last-Modified` is sent, so
 *   `If-Modified-Since` never applies and `If-None-Match` always decides.
 * - Errors get `Cache-Control: no-store`. Routes that set their own Cache-Control keep it.
 * - `Server-Timing: cache;desc=hit|miss|bypass, db;dur=<ms>, total;dur=<ms>`, where db
 *   is the time the request's record actions spent in the store (the request context
 *   carries the request's timing to core).
 * - While `tracer` is watched (the Flow stream), each request carries a trace and the
 *   tracer hears of its answer; otherwise that costs one boolean read per request.
 */
export function installHttpCaching(app: FastifyInstance, tracer: RequestTracer = idleTracer): void {
  declareResponseMeta(app);
  app.addHook('onRequest', (request, _reply, done) => {
    const meta = startResponseMeta(request);
    if (tracer.watching && tracer.admit()) meta.trace = new HttpTrace();
    done();
  });
  app.addHook('onSend', (request, reply, payload, done) => {
    const meta = responseMetaOf(request);
    if (meta) reply.header('server-timing', serverTiming(meta));
    const sent = conditional(request, reply, payload, meta);
    if (meta?.trace) tracer.finish(request, reply, meta, sent);
    done(null, sent);
  });
}

/** The Vary of a tagged read: its answer depends on the representation asked for and on who asks. */
export const READ_VARY = 'Accept, Authorization, Cookie';

/** The payload to send: no-store on errors, and ETag/304 on JSON and XML reads. */
function conditional(request: FastifyRequest, reply: FastifyReply, payload: unknown, meta: ResponseMeta | undefined) {
  if (reply.statusCode >= 400) {
    if (!reply.hasHeader('cache-control')) reply.header('cache-control', 'no-store');
  } else if (
    reply.statusCode === 200 &&
    (request.method === 'GET' || request.method === 'HEAD') &&
    isTaggedBody(reply, payload)
  ) {
    return validate(request, reply, payload as string | Buffer, meta);
  }
  return payload;
}

/** Tags a JSON or XML answer and answers 304 when the client already holds it. */
function validate(
  request: FastifyRequest,
  reply: FastifyReply,
  payload: string | Buffer,
  meta: ResponseMeta | undefined,
): string | Buffer | null {
  let etag = reply.getHeader('etag') as string | undefined;
  if (etag === undefined) reply.header('etag', (etag = entityTagOf(payload)));
  if (!reply.hasHeader('cache-control'))
    reply.header(
      'cache-control',
      meta?.shared || principalOf(request).kind === 'guest' ? 'no-cache' : 'private, no-cache',
    );
  if (reply.hasHeader('vary')) {
    appendVary(reply, 'Accept');
    appendVary(reply, 'Authorization');
    appendVary(reply, 'Cookie');
  } else reply.header('vary', READ_VARY);
  const condition = request.headers['if-none-match'];
  if (condition === undefined || !ifNoneMatchMatches(condition, etag)) return payload;
  reply.code(304);
  reply.removeHeader('content-type');
  reply.removeHeader('content-length');
  // NB: Fastify's HEAD handler runs after this hook and drops the payload itself, setting
  // Content-Length from it: the length a 200 would have had, which RFC 9110 §8.6 allows.
  return request.method === 'HEAD' ? payload : null;
}

function isTaggedBody(reply: FastifyReply, payload: unknown): boolean {
  if (typeof payload !== 'string' && !Buffer.isBuffer(payload)) return false;
  const type = reply.getHeader('content-type');
  return (
    typeof type === 'string' &&
    (type.startsWith('application/json') ||
      type.startsWith('application/xml') ||
      type.startsWith('application/graphql-response+json'))
  );
}

function serverTiming(meta: ResponseMeta): string {
  return serverTimingOf(meta.cache, meta.dbMs, performance.now() - meta.start);
}

/** The Server-Timing field of an answer: the cache's outcome, the store's time and the whole request's. */
export function serverTimingOf(cache: CacheOutcome, dbMs: number, totalMs: number): string {
  return `cache;desc=${cache}, db;dur=${millis(dbMs)}, total;dur=${millis(totalMs)}`;
}

/**
 * Milliseconds with three decimals, as `toFixed(3)` writes a duration (never negative,
 * never huge). NB: integer arithmetic instead of `toFixed`, whose exact decimal
 * conversion cost a cache hit more than the rest of this header; a hit reads no store
 * (0.000).
 */
export function millis(ms: number): string {
  if (!(ms > 0)) return '0.000';
  const micros = Math.round(ms * 1000);
  const fraction = micros % 1000;
  return `${(micros - fraction) / 1000}.${fraction < 10 ? '00' : fraction < 100 ? '0' : ''}${fraction}`;
}
