import type { Socket } from 'node:net';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ChangeEvent } from '@tandem/core';
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
  const principal = principalOf(request);
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
