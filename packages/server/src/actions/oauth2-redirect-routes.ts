import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isAppError, type ActionDispatcher } from '@tandem/core';
import { toRequestContext } from '../auth/request-context.js';
import { restInput } from './action-routes.js';

/** A provider's form post is a handful of short fields. */
const FORM_LIMIT_BYTES = 16 * 1024;

/**
 * PocketBase's `/api/oauth2-redirect`, where the provider sends the popup back: GET
 * with the query, or POST with a form (`response_mode=form_post`, which Apple uses).
 * The action passes `{state, code, error?}` to the waiting realtime client; the popup
 * gets a small page saying whether it may close. Tandem serves no admin UI, so there is
 * no `/_/#/auth/oauth2-redirect-success` to redirect to (PocketBase's fallback page).
 */
export function registerOAuth2RedirectRoutes(app: FastifyInstance, dispatcher: ActionDispatcher): void {
  if (!dispatcher.describe('auth.oauth2Redirect')) return;
  // An encapsulated scope, so form bodies are accepted on this route alone.
  void app.register(async (scope) => {
    scope.addContentTypeParser(
      'application/x-www-form-urlencoded',
      { parseAs: 'string', bodyLimit: FORM_LIMIT_BYTES },
      (_request, body, done) => done(null, Object.fromEntries(new URLSearchParams(String(body)))),
    );
    // No HEAD twin: a prefetcher's HEAD would spend the client's one-shot subscription.
    scope.get('/api/oauth2-redirect', { exposeHeadRoute: false }, (request, reply) =>
      redirect(dispatcher, request, reply),
    );
    scope.post('/api/oauth2-redirect', (request, reply) => redirect(dispatcher, request, reply));
  });
}

async function redirect(dispatcher: ActionDispatcher, request: FastifyRequest, reply: FastifyReply) {
  reply.header('cache-control', 'no-store');
  try {
    await dispatcher.dispatch('auth.oauth2Redirect', restInput(request), toRequestContext(request));
  } catch (error) {
    if (!isAppError(error)) throw error;
    return page(reply, error.status, `${error.message} (${error.code}) You can close this window and try again.`);
  }
  return page(reply, 200, 'Signed in. You can close this window and go back to the app.');
}

function page(reply: FastifyReply, status: number, message: string): FastifyReply {
  // The text is ours alone: nothing from the request is echoed into the page.
  const html = `<!doctype html><meta charset="utf-8"><title>Sign-in</title><p>${message}</p>`;
  return reply.code(status).type('text/html; charset=utf-8').send(html);
}
