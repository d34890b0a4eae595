import type { FastifyInstance } from 'fastify';
import type { RealtimeBroker } from '@tandem/core';
import { requireSuperuser } from '../auth/request-principal.js';

/**
 * `POST /api/realtime/disconnect` (superusers): ends every realtime connection, WebSocket
 * and SSE, from the server's side — for an operator who wants every client to
 * reconnect (after a deploy of rules, say). WebSocket clients get close code 1012 and
 * resume from their last seq; SSE clients reconnect as PocketBase's SDK does.
 */
export function registerRealtimeAdminRoutes(app: FastifyInstance, broker: RealtimeBroker): void {
  app.post('/api/realtime/disconnect', async (request) => {
    requireSuperuser(request);
    return { disconnected: broker.dropAll() };
  });
}
