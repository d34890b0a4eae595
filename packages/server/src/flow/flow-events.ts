import type { Socket } from 'node:net';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ChangeEvent, Principal, WatchedCall } from '@tandem/core';
import type { FlowChangeEvent, FlowConnection, FlowRequestEvent } from '@tandem/protocol';
import { principalOf } from '../auth/request-principal.js';
import type { ResponseMeta } from '../http/response-meta.js';

/** Builds a request's event from its request, reply and bookkeeping, as it is answered. */
export function toRequestEvent(
  request: FastifyRequest,
  reply: FastifyReply,
  meta: ResponseMeta,
  payload: unknown,
  reused: boolean,
): FlowRequestEvent {
  const params = (request.params ?? {}) as Record<string, string | undefined>;
  const route = request.routeOptions.url ?? '';
  const trace = meta.trace;
  return {
    type: 'request',
    id: request.id,
    at: Date.now(),
    transport: transportOf(route),
    method: request.method,
    path: request.url.split('?', 1)[0]!,
    route,
    status: reply.statusCode,
    collection: params.collection ?? params.idOrName,
    recordId: params.id,
    principal: describePrincipal(request),
    connection: connectionOf(request, reused),
    cache: meta.cache,
    rules: trace?.rules ?? [],
    timings: {
      edgeMs: trace?.handlerAt === undefined ? undefined : trace.handlerAt - meta.start,
      authMs: trace?.authMs,
      dbMs: meta.dbMs,
      totalMs: performance.now() - meta.start,
    },
    bytes: bytesOf(payload),
  };
}

/** Calls over transports other than HTTP, numbered for their event ids. */
let calls = 0;

/**
 * A WebSocket request frame or a gRPC call as a request event: its action or method
 * stands for the method and path (there is no URL), its connection is the socket's.
 */
export function toCallEvent(call: WatchedCall): FlowRequestEvent {
  return {
    type: 'request',
    id: `${call.transport}-${++calls}`,
    at: Date.now(),
    transport: call.transport,
    method: call.transport === 'grpc' ? 'CALL' : 'WS',
    path: call.name,
    route: call.name,
    status: call.status,
    collection: call.collection,
    recordId: call.recordId,
    principal: principalName(call.principal),
    connection: { http: call.transport === 'grpc' ? '2.0' : 'websocket', tls: call.tls, reused: true },
    cache: 'bypass',
    rules: call.rules,
    timings: { edgeMs: undefined, authMs: undefined, dbMs: call.dbMs, totalMs: call.totalMs },
    bytes: 0,
  };
}

/** A change's event before its deliveries are counted. */
export function toChangeEvent(event: ChangeEvent, clients: number): FlowChangeEvent {
  return {
    type: 'change',
    at: Date.now(),
    seq: event.seq,
    collection: event.collectionName,
    recordId: event.recordId,
    action: event.action,
    clients,
    delivered: {},
  };
}

function transportOf(route: string): string {
  if (route.startsWith('/api/graphql')) return 'graphql';
  if (route === '/api/batch') return 'batch';
  return 'rest';
}

function describePrincipal(request: FastifyRequest): string {
  return principalName(principalOf(request));
}

function principalName(principal: Principal): string {
  return principal.kind === 'record' ? `user:${principal.collection.name}` : principal.kind;
}

function connectionOf(request: FastifyRequest, reused: boolean): FlowConnection {
  const socket = request.raw.socket as Socket & { encrypted?: boolean };
  return { http: request.raw.httpVersion, tls: socket?.encrypted === true, reused };
}

function bytesOf(payload: unknown): number {
  if (typeof payload === 'string') return Buffer.byteLength(payload);
  if (Buffer.isBuffer(payload)) return payload.length;
  return 0;
}
