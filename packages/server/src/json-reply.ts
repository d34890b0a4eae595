import type { FastifyReply, FastifyRequest } from 'fastify';
import { parseFields, pickFields } from '@tandem/core';

/**
 * Sends a JSON body after applying the `fields` query parameter, which PocketBase
 * honours on every JSON response (for list pages: on each item).
 */
export function sendJson(request: FastifyRequest, reply: FastifyReply, data: unknown, options: { list?: boolean } = {}): FastifyReply {
  const fields = (request.query as { fields?: unknown }).fields;
  if (typeof fields !== 'string' || fields === '') return reply.send(data);
  const tree = parseFields(fields);
  if (options.list && data && typeof data === 'object' && 'items' in data) {
    return reply.send({ ...data, items: pickFields((data as { items: unknown }).items, tree) });
  }
  return reply.send(pickFields(data, tree));
}
