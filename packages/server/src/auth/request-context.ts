import type { FastifyRequest } from 'fastify';
import type { RequestContext } from '@tandem/core';
import { principalOf } from './request-principal.js';
import { responseMetaOf } from '../http/response-meta.js';

/**
 * Builds core's request context from an HTTP request: who is asking (resolved once by
 * the auth hook) and what rules may read. The headers are Node's own object, not copied:
 * rules normalize names (`@request.headers.x_token`) only when they read one.
 */
export function toRequestContext(request: FastifyRequest): RequestContext {
  const timing = responseMetaOf(request);
  const trace = timing?.trace;
  if (trace) trace.handlerAt ??= performance.now();
  return {
    principal: principalOf(request),
    method: request.method,
    headers: request.headers,
    query: request.query as Record<string, string>,
    context: 'default',
    timing,
    trace,
  };
}
