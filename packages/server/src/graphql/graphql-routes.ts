import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { CacheDecision } from '@tandem/core';
import { toRequestContext } from '../auth/request-context.js';
import { principalOf } from '../auth/request-principal.js';
import { usableCache, type ResponseCache } from '../cache/record-response-cache.js';
import { responseMetaOf } from '../http/response-meta.js';
import { entityTagOf } from '../http/entity-tags.js';
import { appendVary } from '../http/vary.js';
import { GRAPHQL_PATH, type GraphqlHttpAnswer, type GraphqlTransport } from './graphql-transport.js';

/**
 * `GET` and `POST /api/graphql`. The principal, body limits and error mapping are the
 * HTTP phases every route goes through; queries sent by GET are answered from the response
 * cache when they can be, under a key with the generations of every collection they may
 * read, and get an ETag (304 on `If-None-Match`) like any JSON GET.
 */
export function registerGraphqlRoutes(app: FastifyInstance, graphql: GraphqlTransport, cache?: ResponseCache): void {
  app.route({
    method: ['GET', 'POST'],
    url: GRAPHQL_PATH,
    handler: (request, reply) => answer(graphql, cache, request, reply),
  });
}

async function answer(
  graphql: GraphqlTransport,
  shared: ResponseCache | undefined,
  request: FastifyRequest,
  reply: FastifyReply,
): Promise<FastifyReply> {
  appendVary(reply, 'Accept');
  const cache = request.method === 'GET' ? await usableCache(shared) : undefined;
  const run = () =>
    graphql.handle({
      method: request.method,
      url: request.url,
      headers: request.headers,
      body: (request.body as Record<string, unknown> | undefined) ?? null,
      context: toRequestContext(request),
    });
  const decision = request.method === 'GET' ? cacheDecision(graphql, cache, request) : undefined;
  if (!cache || !decision) return send(reply, await run());
  const meta = responseMetaOf(request);
  const entry = await cache.cache.get(decision.key);
  if (meta) meta.cache = entry ? 'hit' : 'miss';
  if (entry) return sendCached(reply, entry);
  const [body, init] = await run();
  const type = init.headers?.['content-type'];
  if (init.status === 200 && body !== null && type && !hasErrors(body)) {
    const etag = entityTagOf(body);
    reply.header('etag', etag);
    void cache.cache.set(decision.key, Buffer.from(`${etag}\n${type}\n${body}`)).catch(() => undefined);
  }
  return send(reply, [body, init]);
}

/** The cache key of a GET query, or undefined (not a cacheable query, or no cache). */
function cacheDecision(
  graphql: GraphqlTransport,
  cache: ResponseCache | undefined,
  request: FastifyRequest,
): CacheDecision | undefined {
  if (!cache) return undefined;
  const query = request.query as Record<string, unknown>;
  if (typeof query.query !== 'string') return undefined;
  let variables: Record<string, unknown> | null = null;
  try {
    if (typeof query.variables === 'string') variables = JSON.parse(query.variables) as Record<string, unknown>;
  } catch {
    return undefined;
  }
  const operationName = typeof query.operationName === 'string' ? query.operationName : null;
  const reach = graphql.cacheReach({ query: query.query, variables, operationName });
  if (!reach) return undefined;
  const params = `${request.url}\u0001${request.headers.accept ?? ''}`;
  return cache.keys.forQuery(params, reach.collections, reach.filters, principalOf(request));
}

function send(reply: FastifyReply, [body, init]: GraphqlHttpAnswer): FastifyReply {
  reply.code(init.status);
  for (const [name, value] of Object.entries(init.headers ?? {})) reply.header(name, value);
  return reply.send(body ?? undefined);
}

function sendCached(reply: FastifyReply, entry: Uint8Array): FastifyReply {
  const text = Buffer.from(entry.buffer, entry.byteOffset, entry.byteLength);
  const first = text.indexOf(10);
  const second = text.indexOf(10, first + 1);
  return reply
    .header('etag', text.subarray(0, first).toString('latin1'))
    .header('content-type', text.subarray(first + 1, second).toString('latin1'))
    .send(text.subarray(second + 1));
}

/** An answer with errors is never cached: a refusal may not outlive what caused it. */
function hasErrors(body: string): boolean {
  return body.includes('"errors":');
}
