import type { FastifyInstance } from 'fastify';
import { textQuery, type ActionDispatcher, type BackupDownload } from '@tandem/core';
import { toRequestContext } from '../auth/request-context.js';

/**
 * `GET /api/backups/{key}?token=`: a backup zip for a superuser's file token (the other
 * backup routes are in the action table). Core checks the token; this sends the bytes,
 * always as an attachment and never cached.
 */
export function registerBackupRoutes(app: FastifyInstance, dispatcher: ActionDispatcher): void {
  if (!dispatcher.describe('backups.download')) return;
  app.get('/api/backups/:key', async (request, reply) => {
    const input = { params: request.params as Record<string, string>, query: textQuery(request.query) };
    const result = await dispatcher.dispatch('backups.download', input, toRequestContext(request));
    const file = result.body as BackupDownload;
    return reply
      .header('content-type', 'application/zip')
      .header('content-disposition', `attachment; filename="${file.name}"`)
      .header('content-length', file.size)
      .header('last-modified', file.modified.toUTCString())
      .header('cache-control', 'private, no-store')
      .send(await file.open());
  });
}
