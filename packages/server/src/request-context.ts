import type { FastifyRequest } from 'fastify';
import type { RequestContext } from '@tandem/core';
import { principalOf } from './auth/request-principal.js';

/**
 * Builds core's request context from an HTTP request: who is asking (resolved once by
 * the auth hook) and what rules may read. Header names become lowercase with `-` → `_`
 * for `@request.headers.*`.
 */
export function toRequestContext(request: FastifyRequest): RequestContext {
  return {
    principal: principalOf(request),
    method: request.method,
    headers: lazyHeaders(request),
    query: request.query as Record<string, string>,
    context: 'default',
  };
}

function lazyHeaders(request: FastifyRequest): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (value !== undefined) headers[name.toLowerCase().replaceAll('-', '_')] = Array.isArray(value) ? value.join(', ') : value;
  }
  return headers;
}
