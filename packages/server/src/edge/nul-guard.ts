import type { FastifyInstance } from 'fastify';
import { AppError } from '@tandem/core';

/**
 * Refuses a URL that percent-encodes a NUL character (`%00`) with a 400 before any route
 * runs. SQLite would compare such a record id or query value and PostgreSQL refuse it
 * (500), so both refuse it alike, here; JSON bodies are checked where they are parsed.
 * One substring search per request, no promise.
 */
export function installNulGuard(app: FastifyInstance): void {
  app.addHook('onRequest', (request, _reply, done) => {
    done(
      request.url.includes('%00')
        ? new AppError('BAD_REQUEST', 'The URL must not contain NUL characters (%00).')
        : undefined,
    );
  });
}
