import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { textQuery, type ActionDispatcher, type ActionInput } from '@tandem/core';
import { toRequestContext } from '../auth/request-context.js';
import {
  answerRecordRead,
  recordCacheDecision,
  usableCache,
  type ResponseCache,
} from '../cache/record-response-cache.js';

/** One REST route of an action: method, Fastify URL pattern, action name, and how its answer may be cached. */
export interface ActionRoute {
  readonly method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  readonly url: string;
  readonly action: string;
  /** Record reads the response cache may answer. */
  readonly cache?: 'list' | 'view';
  /** Answers that must never be stored by a client or proxy. */
  readonly noStore?: boolean;
}

const RECORDS = '/api/collections/:collection/records';
/** PocketBase's `_externalAuths` system collection: static routes, which win over `:collection`. */
const EXTERNAL_AUTHS = '/api/collections/_externalAuths/records';

/**
 * PocketBase's REST API as a table over the core actions: this is all REST knows of
 * them. Every route runs through the dispatcher, which decides access and applies the
 * rules; the table only maps the wire onto action names.
 */
export const actionRoutes: readonly ActionRoute[] = [
  { method: 'GET', url: RECORDS, action: 'records.list', cache: 'list' },
  { method: 'GET', url: `${RECORDS}/:id`, action: 'records.view', cache: 'view' },
  { method: 'POST', url: RECORDS, action: 'records.create' },
  { method: 'PATCH', url: `${RECORDS}/:id`, action: 'records.update' },
  { method: 'PUT', url: `${RECORDS}/:id`, action: 'records.replace' },
  { method: 'DELETE', url: `${RECORDS}/:id`, action: 'records.delete' },
  { method: 'GET', url: '/api/collections', action: 'collections.list' },
  { method: 'GET', url: '/api/collections/meta/scaffolds', action: 'collections.scaffolds' },
  { method: 'PUT', url: '/api/collections/import', action: 'collections.import' },
  { method: 'GET', url: '/api/collections/:idOrName', action: 'collections.view' },
  { method: 'POST', url: '/api/collections', action: 'collections.create' },
  { method: 'PATCH', url: '/api/collections/:idOrName', action: 'collections.update' },
  { method: 'DELETE', url: '/api/collections/:idOrName', action: 'collections.delete' },
  { method: 'DELETE', url: '/api/collections/:idOrName/truncate', action: 'collections.truncate' },
  { method: 'GET', url: '/api/settings', action: 'settings.view' },
  { method: 'PATCH', url: '/api/settings', action: 'settings.update' },
  { method: 'GET', url: '/api/crons', action: 'crons.list' },
  { method: 'POST', url: '/api/crons/:id', action: 'crons.run' },
  { method: 'GET', url: '/api/mails', action: 'mails.list', noStore: true },
  { method: 'GET', url: '/api/logs', action: 'logs.list', noStore: true },
  { method: 'GET', url: '/api/logs/stats', action: 'logs.stats', noStore: true },
  { method: 'GET', url: '/api/logs/:id', action: 'logs.view', noStore: true },
  { method: 'POST', url: '/api/realtime/disconnect', action: 'realtime.disconnect' },
  { method: 'POST', url: '/api/superusers/install', action: 'superusers.install', noStore: true },
  { method: 'GET', url: EXTERNAL_AUTHS, action: 'externalAuths.list', noStore: true },
  { method: 'GET', url: `${EXTERNAL_AUTHS}/:id`, action: 'externalAuths.view', noStore: true },
  { method: 'DELETE', url: `${EXTERNAL_AUTHS}/:id`, action: 'externalAuths.delete' },
  { method: 'GET', url: '/api/backups', action: 'backups.list', noStore: true },
  { method: 'POST', url: '/api/backups', action: 'backups.create' },
  { method: 'POST', url: '/api/backups/upload', action: 'backups.upload' },
  { method: 'DELETE', url: '/api/backups/:key', action: 'backups.delete' },
  { method: 'POST', url: '/api/backups/:key/restore', action: 'backups.restore' },
];

/** Registers every route of the table whose action the dispatcher knows. Record reads go through `cache` when given. */
export function registerActionRoutes(app: FastifyInstance, dispatcher: ActionDispatcher, cache?: ResponseCache): void {
  for (const route of actionRoutes) {
    if (!dispatcher.describe(route.action)) continue;
    app.route({
      method: route.method,
      url: route.url,
      handler: (request, reply) => answer(route, dispatcher, cache, request, reply),
    });
  }
}

/** The action's input as REST carries it: path values, query text and the parsed body. */
export function restInput(request: FastifyRequest): ActionInput {
  return {
    params: (request.params ?? {}) as Record<string, string>,
    query: textQuery(request.query),
    body: request.body,
  };
}

async function answer(
  route: ActionRoute,
  dispatcher: ActionDispatcher,
  cache: ResponseCache | undefined,
  request: FastifyRequest,
  reply: FastifyReply,
): Promise<FastifyReply> {
  const run = () => dispatcher.dispatch(route.action, restInput(request), toRequestContext(request));
  if (route.cache) {
    // A cache without `ready` (one process) is decided without a promise.
    const usable = cache?.ready ? await usableCache(cache) : cache;
    return answerRecordRead(
      request,
      reply,
      usable,
      recordCacheDecision(usable, request, route.cache),
      async () => (await run()).body,
    );
  }
  const result = await run();
  if (route.noStore) reply.header('cache-control', 'no-store');
  return result.status === 204 ? reply.code(204).send() : reply.code(result.status).send(result.body);
}
