import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { StoreTiming } from '@tandem/core';
import type { HttpTrace } from './request-trace.js';

/** How the response cache answered: from an entry, by running the action, or not at all. */
export type CacheOutcome = 'hit' | 'miss' | 'bypass';

/** What the edge reports about one request: store time, the cache's outcome and scope. */
export interface ResponseMeta extends StoreTiming {
  cache: CacheOutcome;
  /** The answer is the same for every caller (a public cache scope). */
  shared: boolean;
  /** `performance.now()` when the request arrived. */
  readonly start: number;
  /** Present only while someone watches the Flow stream. */
  trace?: HttpTrace;
}

// A symbol-keyed slot on the request rather than a WeakMap: a WeakMap entry per request
// cost more than a microsecond of a small GET, most of it in the garbage collector.
const META = Symbol('tandem.responseMeta');
type MetaCarrier = FastifyRequest & { [META]?: ResponseMeta };

/**
 * Declares the slot on every request of `app` (once, on the root instance), so that
 * requests keep one shape; a request of an app without it still works, a little slower.
 */
export function declareResponseMeta(app: FastifyInstance): void {
  app.decorateRequest(META, undefined);
}

/** Starts the bookkeeping of a request (once, when it arrives). */
export function startResponseMeta(request: FastifyRequest): ResponseMeta {
  const meta: ResponseMeta = { dbMs: 0, cache: 'bypass', shared: false, start: performance.now() };
  (request as MetaCarrier)[META] = meta;
  return meta;
}

/** The bookkeeping of a request, if the edge started one. */
export function responseMetaOf(request: FastifyRequest): ResponseMeta | undefined {
  return (request as MetaCarrier)[META];
}
