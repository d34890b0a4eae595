import type { FastifyRequest } from 'fastify';
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

// A WeakMap rather than a decorated property, as for the principal.
const metas = new WeakMap<FastifyRequest, ResponseMeta>();

/** Starts the bookkeeping of a request (once, when it arrives). */
export function startResponseMeta(request: FastifyRequest): ResponseMeta {
  const meta: ResponseMeta = { dbMs: 0, cache: 'bypass', shared: false, start: performance.now() };
  metas.set(request, meta);
  return meta;
}

/** The bookkeeping of a request, if the edge started one. */
export function responseMetaOf(request: FastifyRequest): ResponseMeta | undefined {
  return metas.get(request);
}
