import type { ServerResponse } from 'node:http';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '@tandem/core';
import { principalOf } from '../auth/request-principal.js';
import { openEventStream } from '../realtime/event-stream-head.js';
import type { FlowHub } from './flow-hub.js';
import { FlowWatcher, defaultFlowWatcherLimits, type FlowWatcherLimits } from './flow-watcher.js';

/** Open Flow streams at once: each is a superuser's page, so a handful is plenty. */
const MAX_WATCHERS = 16;
/** A comment line this often keeps proxies from closing an idle stream. */
const HEARTBEAT_MS = 15_000;

/**
 * `GET /api/flow`: the superuser-only Server-Sent Events stream of the request flow
 * (docs/admin.md). Each `flow` event carries `{events, dropped}`.
 */
export function registerFlowRoutes(
  app: FastifyInstance,
  hub: FlowHub,
  limits: FlowWatcherLimits = defaultFlowWatcherLimits,
): void {
  const open = new Set<ServerResponse>();
  app.get('/api/flow', (request, reply) => {
    const principal = principalOf(request);
    if (principal.kind !== 'superuser')
      throw new AppError(principal.kind === 'guest' ? 'AUTH_REQUIRED' : 'SUPERUSER_ONLY');
    if (hub.size >= MAX_WATCHERS) throw new AppError('TOO_MANY_REQUESTS');
    openStream(request, reply, hub, limits, open);
  });
  // An open stream never ends by itself: it would hold a stop until the shutdown timeout.
  app.addHook('preClose', (done) => {
    for (const response of open) response.end();
    done();
  });
}

function openStream(
  request: FastifyRequest,
  reply: FastifyReply,
  hub: FlowHub,
  limits: FlowWatcherLimits,
  open: Set<ServerResponse>,
): void {
  const response = openEventStream(request, reply);
  const watcher = new FlowWatcher(response, limits);
  response.write(`event: hello\ndata: ${JSON.stringify({ watchers: hub.size + 1 })}\n\n`);
  hub.add(watcher);
  open.add(response);
  const heartbeat = setInterval(() => response.write(': ping\n\n'), HEARTBEAT_MS).unref();
  response.on('close', () => {
    clearInterval(heartbeat);
    watcher.close();
    hub.remove(watcher);
    open.delete(response);
  });
}
