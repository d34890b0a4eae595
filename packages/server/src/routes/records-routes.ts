import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AppError, type RecordService } from '@tandem/core';
import { toRequestContext } from '../auth/request-context.js';
import { sendJson } from '../http/json-reply.js';
import { answerRecordRead, recordCacheDecision, type ResponseCache } from '../cache/record-response-cache.js';

type CollectionParams = { collection: string };
type RecordParams = { collection: string; id: string };
type Query = Record<string, string | undefined>;

/** The records API: `/api/collections/:collection/records[/:id]`, as PocketBase serves it. Reads go through `cache` when given. */
export function registerRecordRoutes(app: FastifyInstance, records: RecordService, cache?: ResponseCache): void {
  const base = '/api/collections/:collection/records';

  app.get<{ Params: CollectionParams; Querystring: Query }>(base, (request, reply) => {
    const { page, perPage, sort, filter, expand, skipTotal } = request.query;
    const list = () => records.list(request.params.collection, { page, perPage, sort, filter, expand, skipTotal }, toRequestContext(request));
    return answerRecordRead(request, reply, cache, recordCacheDecision(cache, request, 'list'), list, { list: true });
  });

  app.get<{ Params: RecordParams; Querystring: Query }>(`${base}/:id`, (request, reply) => {
    const view = () => records.view(request.params.collection, request.params.id, { expand: request.query.expand }, toRequestContext(request));
    return answerRecordRead(request, reply, cache, recordCacheDecision(cache, request, 'view'), view);
  });

  app.post<{ Params: CollectionParams; Querystring: Query }>(base, async (request, reply) => {
    const record = await records.create(request.params.collection, bodyObject(request), { expand: request.query.expand }, toRequestContext(request));
    return sendJson(request, reply, record);
  });

  for (const method of ['PATCH', 'PUT'] as const) {
    app.route<{ Params: RecordParams; Querystring: Query }>({
      method,
      url: `${base}/:id`,
      handler: async (request, reply) => {
        const params = { expand: request.query.expand, replace: method === 'PUT' };
        const record = await records.update(request.params.collection, request.params.id, bodyObject(request), params, toRequestContext(request));
        return sendJson(request, reply, record);
      },
    });
  }

  app.delete<{ Params: RecordParams }>(`${base}/:id`, async (request, reply) => {
    await records.delete(request.params.collection, request.params.id, toRequestContext(request));
    return reply.code(204).send();
  });
}

/** The request body as a JSON object; anything else (array, string, number) is a 400. */
function bodyObject(request: FastifyRequest): Record<string, unknown> {
  const body = request.body;
  if (body === undefined || body === null) return {};
  if (typeof body !== 'object' || Array.isArray(body)) throw new AppError('BODY_INVALID');
  return body as Record<string, unknown>;
}
