import type { FastifyReply, FastifyRequest } from 'fastify';
import { parseFields, pickFields } from '@tandem/core';

/**
 * Sends a JSON body after applying the `fields` query parameter, which PocketBase
 * honours on every JSON response (for list pages: on each item).
 */
export function sendJson(
  request: FastifyRequest,
  reply: FastifyReply,
  data: unknown,
  options: { list?: boolean } = {},
): FastifyReply {
  return reply.send(pickJson(request, data, options));
}

/** The data with the request's `fields` picker applied (the data itself when there is none). */
export function pickJson(request: FastifyRequest, data: unknown, options: { list?: boolean } = {}): unknown {
  const fields = (request.query as { fields?: unknown }).fields;
  if (typeof fields !== 'string' || fields === '') return data;
  const tree = parseFields(fields);
  if (options.list && data && typeof data === 'object' && 'items' in data) {
    return { ...data, items: pickFields((data as { items: unknown }).items, tree) };
  }
  return pickFields(data, tree);
}
