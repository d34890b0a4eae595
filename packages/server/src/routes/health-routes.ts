import type { FastifyInstance } from 'fastify';
import type { HealthResponse } from '@tandem/protocol';

/** `GET|HEAD /api/health`: PocketBase's shape (note `code`, not `status`). */
export function registerHealthRoutes(app: FastifyInstance): void {
  const body: HealthResponse = { message: 'API is healthy.', code: 200, data: {} };
  app.route({
    method: ['GET', 'HEAD'],
    url: '/api/health',
    handler: async (_request, reply) => reply.header('cache-control', 'no-store').send(body),
  });
}
