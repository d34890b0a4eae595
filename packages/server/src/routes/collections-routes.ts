import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AppError, collectionScaffolds, internalRequest, toPublicCollection, type Collection, type CollectionService, type RecordService } from '@tandem/core';
import { requireSuperuser } from '../auth/request-principal.js';
import { sendJson } from '../http/json-reply.js';

type Params = { idOrName: string };
type Query = Record<string, string | undefined>;

/**
 * The superuser collections API (`/api/collections[...]`), as PocketBase serves it.
 * Every route asks who is calling before anything else: guests get 401, other callers 403.
 */
export function registerCollectionRoutes(app: FastifyInstance, collections: CollectionService, records: RecordService): void {
  app.get<{ Querystring: Query }>('/api/collections', async (request, reply) => {
    requireSuperuser(request);
    const { page, perPage, sort, filter } = request.query;
    return sendJson(request, reply, publicPage(collections.list({ page, perPage, sort, filter })), { list: true });
  });

  app.get('/api/collections/meta/scaffolds', async (request, reply) => {
    requireSuperuser(request);
    return sendJson(request, reply, collectionScaffolds());
  });

  app.get<{ Params: Params }>('/api/collections/:idOrName', async (request, reply) => {
    requireSuperuser(request);
    return sendJson(request, reply, toPublicCollection(collections.get(request.params.idOrName)));
  });

  app.post('/api/collections', async (request, reply) => {
    requireSuperuser(request);
    return sendJson(request, reply, toPublicCollection(await collections.create(request.body ?? {})));
  });

  app.patch<{ Params: Params }>('/api/collections/:idOrName', async (request, reply) => {
    requireSuperuser(request);
    return sendJson(request, reply, toPublicCollection(await collections.update(request.params.idOrName, request.body ?? {})));
  });

  app.delete<{ Params: Params }>('/api/collections/:idOrName', async (request, reply) => {
    requireSuperuser(request);
    await collections.delete(request.params.idOrName);
    return reply.code(204).send();
  });

  app.put('/api/collections/import', async (request, reply) => {
    requireSuperuser(request);
    const { collections: list, deleteMissing } = importBody(request);
    await collections.import(list, { deleteMissing });
    return reply.code(204).send();
  });

  app.delete<{ Params: Params }>('/api/collections/:idOrName/truncate', async (request, reply) => {
    const principal = requireSuperuser(request);
    await records.truncate(request.params.idOrName, internalRequest(principal, 'DELETE'));
    return reply.code(204).send();
  });
}

/** `{collections: [...], deleteMissing?: bool}`, or a 400 naming the bad key. */
function importBody(request: FastifyRequest): { collections: unknown[]; deleteMissing: boolean } {
  const body = request.body as { collections?: unknown; deleteMissing?: unknown } | undefined;
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new AppError('BODY_INVALID');
  if (!Array.isArray(body.collections)) {
    throw new AppError('COLLECTION_INVALID', undefined, { collections: { code: 'validation_required', message: 'A list of collections is required.' } });
  }
  if (body.deleteMissing !== undefined && typeof body.deleteMissing !== 'boolean') {
    throw new AppError('COLLECTION_INVALID', undefined, { deleteMissing: { code: 'validation_invalid_type', message: 'Must be true or false.' } });
  }
  return { collections: body.collections, deleteMissing: body.deleteMissing === true };
}

/** A page of collections with every signing secret removed. */
function publicPage<T extends { items: Collection[] }>(page: T): T {
  return { ...page, items: page.items.map(toPublicCollection) };
}
