import type { FastifyInstance } from 'fastify';
import type { SettingsService } from '@tandem/core';
import { requireSuperuser } from '../auth/request-principal.js';
import { sendJson } from '../http/json-reply.js';

/**
 * `GET/PATCH /api/settings` (superusers only). Secrets are never served: the SMTP
 * password reads as "", and a PATCH without one keeps the stored password.
 */
export function registerSettingsRoutes(app: FastifyInstance, settings: SettingsService): void {
  app.get('/api/settings', async (request, reply) => {
    requireSuperuser(request);
    return sendJson(request, reply, settings.redacted());
  });

  app.patch('/api/settings', async (request, reply) => {
    requireSuperuser(request);
    await settings.update(request.body ?? {});
    return sendJson(request, reply, settings.redacted());
  });
}
