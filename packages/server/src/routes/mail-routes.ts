import type { FastifyInstance } from 'fastify';
import type { OutboxMailer } from '@tandem/core';
import { requireSuperuser } from '../auth/request-principal.js';
import { sendJson } from '../http/json-reply.js';

type Query = { to?: string; limit?: string };

/** `GET /api/mails`: the dev outbox, newest first, for superusers (mail kept when no SMTP is set). */
export function registerMailRoutes(app: FastifyInstance, outbox: OutboxMailer): void {
  app.get<{ Querystring: Query }>('/api/mails', async (request, reply) => {
    requireSuperuser(request);
    reply.header('cache-control', 'no-store');
    const limit = Math.min(Math.max(Number.parseInt(request.query.limit ?? '20', 10) || 20, 1), 500);
    const to = typeof request.query.to === 'string' && request.query.to !== '' ? request.query.to : undefined;
    return sendJson(request, reply, { items: await outbox.list({ to, limit }) });
  });
}
