import type { FastifyRequest } from 'fastify';
import { guest, type RequestContext } from '@tandem/core';

/**
 * Builds core's request context from an HTTP request. Until authentication lands every
 * HTTP request is a guest. Header names become lowercase with `-` → `_` for
 * `@request.headers.*`.
 */
export function toRequestContext(request: FastifyRequest): RequestContext {
  return {
    principal: guest,
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
