import type { FastifyInstance } from 'fastify';
import { AppError } from '@tandem/core';
import { principalOf } from '../auth/request-principal.js';
import type { TlsStatus } from '../tls/tls-status.js';

/** `GET /api/tls`: the TLS status (certificate, expiry, last reload) for superusers. */
export function registerTlsRoutes(app: FastifyInstance, status: TlsStatus): void {
  app.get('/api/tls', async (request, reply) => {
    const principal = principalOf(request);
    if (principal.kind !== 'superuser')
      throw new AppError(principal.kind === 'guest' ? 'AUTH_REQUIRED' : 'SUPERUSER_ONLY');
    return reply.header('cache-control', 'no-store').send(status.view());
  });
}
