import type { FastifyReply, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import { AppError, budgetedRunner, withinBudget, type RateLimiter } from '@tandem/core';
import { principalOf, requireAuth, requireSuperuser } from '../auth/request-principal.js';
import { toRequestContext } from '../auth/request-context.js';
import type { CustomRoute, CustomRoutes, RouteEvent } from './custom-route-table.js';

/** What custom routes run with. */
export interface CustomRouteOptions {
  /** The rate-limit counters (shared with the auth endpoints and every transport). */
  readonly rateLimiter: RateLimiter;
  /** The time budget of the handler and of each middleware, in milliseconds (read per request: hooks may set it). */
  readonly budgetMs: () => number;
}

/**
 * The preHandler that serves the routes of server hooks. It goes only where no built-in
 * route answers: on Fastify's not-found handler and on the public files' catch-all
 * (`/*`), which run it after the edge, the principal and the body parsers, so custom
 * routes get the same limits, caller and error answers as the built-in ones. NB: not on
 * the app: a preHandler there would make every request of every route pay for a hook
 * kind and a promise, to ask a table that only unmatched paths can match.
 */
export function customRoutesHook(routes: CustomRoutes, options: CustomRouteOptions): preHandlerAsyncHookHandler {
  return async (request, reply) => {
    if (routes.size === 0) return;
    const path = request.url.split('?', 1)[0]!;
    const match = routes.match(request.method, path);
    if (!match) return;
    await serveCustomRoute(request, reply, match.route, match.params, options);
    return reply;
  };
}

async function serveCustomRoute(
  request: FastifyRequest,
  reply: FastifyReply,
  route: CustomRoute,
  params: Record<string, string>,
  options: CustomRouteOptions,
): Promise<void> {
  const event = routeEvent(request, reply, params, options.rateLimiter);
  let result: unknown;
  const budgetMs = options.budgetMs();
  const handle = async (e: RouteEvent) => {
    result = await withinBudget(() => route.handler(e), budgetMs);
  };
  await route.chain.trigger(event, handle, undefined, budgetedRunner(budgetMs));
  if (reply.sent) return;
  if (result === undefined) reply.code(204).send();
  else reply.code(200).send(result);
}

function routeEvent(
  request: FastifyRequest,
  reply: FastifyReply,
  params: Record<string, string>,
  limiter: RateLimiter,
): RouteEvent {
  return {
    method: request.method,
    path: request.url.split('?', 1)[0]!,
    params,
    query: request.query as Record<string, string>,
    headers: request.headers,
    body: request.body,
    auth: principalOf(request),
    request: toRequestContext(request),
    requestId: String(request.id),
    ip: request.ip,
    json: (status, data) =>
      void reply.code(status).header('content-type', 'application/json').send(JSON.stringify(data)),
    text: (status, text) => void reply.code(status).header('content-type', 'text/plain; charset=utf-8').send(text),
    noContent: (status = 204) => void reply.code(status).send(),
    setHeader: (name, value) => void reply.header(name, value),
    requireAuth: (...collections) => {
      const principal = requireAuth(request);
      if (collections.length === 0 || principal.kind === 'superuser') return;
      if (principal.kind === 'record' && collections.includes(principal.collection.name)) return;
      throw new AppError('FORBIDDEN');
    },
    requireSuperuser: () => void requireSuperuser(request),
    // Async: in a cluster the counters live in Redis, shared by every instance.
    rateLimit: async (key, max, windowSec) => {
      const verdict = await limiter.hit(`hook:${key}:${request.ip}`, max, windowSec * 1000);
      if (!verdict.allowed)
        throw new AppError('TOO_MANY_REQUESTS', undefined, { retryAfter: Math.ceil(verdict.retryAfterMs / 1000) });
    },
  };
}
