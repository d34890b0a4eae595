import type { IncomingHttpHeaders } from 'node:http';
import type { FastifyRequest } from 'fastify';
import type { RequestContext } from '@tandem/core';
import { principalOf } from './request-principal.js';
import { responseMetaOf } from '../http/response-meta.js';

/**
 * Builds core's request context from an HTTP request: who is asking (resolved once by
 * the auth hook) and what rules may read. Header names become lowercase with `-` → `_`
 * for `@request.headers.*`, on first read only: most requests meet no rule that reads
 * headers, and copying them all was a measurable part of a small GET.
 */
export function toRequestContext(request: FastifyRequest): RequestContext {
  let headers: Record<string, string> | undefined;
  const timing = responseMetaOf(request);
  const trace = timing?.trace;
  if (trace) trace.handlerAt ??= performance.now();
  return {
    principal: principalOf(request),
    method: request.method,
    get headers() {
      return (headers ??= toRuleHeaders(request.headers));
    },
    query: request.query as Record<string, string>,
    context: 'default',
    timing,
    trace,
  };
}

/** Request headers as rules read them (`@request.headers.x_token`): lowercase, `-` → `_`, lists joined. */
export function toRuleHeaders(given: IncomingHttpHeaders): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(given)) {
    if (value !== undefined)
      headers[name.toLowerCase().replaceAll('-', '_')] = Array.isArray(value) ? value.join(', ') : value;
  }
  return headers;
}
