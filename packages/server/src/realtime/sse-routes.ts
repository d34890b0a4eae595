import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError, type Principal, type RealtimeBroker, type RealtimeCredential, type SchemaView } from '@tandem/core';
import { principalOf } from '../auth/request-principal.js';
import { bindPrincipal, credentialOf } from './sse-auth.js';
import { forwardSubscriptions, serveForwardedSubscriptions } from './sse-relay.js';
import { SseConnections, resolveSseLimits, type SseLimits } from './sse-connections.js';
import { SseStream } from './sse-stream.js';
import { openEventStream } from './event-stream-head.js';
import {
  parseSseSubscriptions,
  subscriptionIdOf,
  toSseSubscribeBody,
  type SseSubscribeBody,
  type SseSubscription,
} from './sse-subscriptions.js';

/** What the SSE endpoints need besides the broker. */
export interface SseRouteOptions {
  /** The collections subscriptions are checked against. */
  readonly schema: SchemaView;
  readonly limits?: Partial<SseLimits>;
}

/**
 * PocketBase's realtime transport over the broker: `GET /api/realtime` opens an event
 * stream whose first frame hands out the client id, and `POST /api/realtime` replaces
 * that client's subscriptions and binds the POST's principal to it. docs/realtime.md
 * describes the frames and the differences from PocketBase.
 */
export function registerSseRoutes(app: FastifyInstance, broker: RealtimeBroker, options: SseRouteOptions): void {
  const limits = resolveSseLimits(options.limits);
  const connections = new SseConnections(limits);
  // No HEAD twin: it would open a stream nobody reads.
  app.get('/api/realtime', { exposeHeadRoute: false }, (request, reply) =>
    openStream(request, reply, broker, connections, limits),
  );
  app.post('/api/realtime', async (request, reply) => {
    const body = toSseSubscribeBody(request.body);
    const credential = credentialOf(request);
    // In a cluster the stream may be held by another instance: the POST goes there.
    if (!connections.get(body.clientId) && broker.relay) await forwardSubscriptions(broker.relay, body, credential);
    else setSubscriptions(body, principalOf(request), credential, broker, connections, options.schema);
    return reply.code(204).send();
  });
  const stopServing = broker.relay
    ? serveForwardedSubscriptions(broker, (body, principal, credential) =>
        setSubscriptions(body, principal, credential, broker, connections, options.schema),
      )
    : () => undefined;
  // Open streams would otherwise keep `close()` waiting for their sockets.
  app.addHook('preClose', (done) => {
    stopServing();
    connections.endAll();
    done();
  });
}

function openStream(
  request: FastifyRequest,
  reply: FastifyReply,
  broker: RealtimeBroker,
  connections: SseConnections,
  limits: SseLimits,
): void {
  const ip = request.ip;
  connections.assertRoom(ip);
  const response = openEventStream(request, reply);
  const stream = new SseStream(response, limits);
  const client = broker.connect(stream);
  connections.add(client.id, ip, stream);
  response.on('close', () => {
    connections.remove(client.id);
    broker.disconnect(client);
  });
  stream.open(client.id);
}

function setSubscriptions(
  body: SseSubscribeBody,
  principal: Principal,
  credential: RealtimeCredential | undefined,
  broker: RealtimeBroker,
  connections: SseConnections,
  schema: SchemaView,
): void {
  const client = broker.client(body.clientId);
  const stream = connections.get(body.clientId);
  if (!client || !stream || stream.ended) throw new AppError('NOT_FOUND', 'Missing or invalid client id.');
  // Everything is checked before anything changes: a 400 or 403 leaves the client as it was.
  const parsed = parseSseSubscriptions(schema, body.subscriptions);
  bindPrincipal(client, principal, credential);
  const byId = new Map<string, SseSubscription>(parsed.map((entry) => [subscriptionIdOf(entry.name), entry]));
  const subscriptions = [...byId.values()].flatMap(({ subscription }) => (subscription ? [subscription] : []));
  broker.replaceSubscriptions(client, subscriptions);
  stream.setNames(byId);
}
