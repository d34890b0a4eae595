import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isAppError, toBodyObject, type ActionDispatcher, type ActionInput, type ActionResult } from '@tandem/core';
import { toRequestContext } from '../auth/request-context.js';
import { clearSessionCookie, readCookie, SESSION_COOKIE, setSessionCookie } from '../auth/session-cookie.js';
import type { AuthCaller, AuthRateLimits } from '@tandem/core';
import { restInput } from './action-routes.js';

const BASE = '/api/collections/:collection';

/** The auth endpoints of an auth collection and their actions; each POST is rate limited by its path. */
const AUTH_POSTS: ReadonlyArray<readonly [path: string, action: string]> = [
  ['auth-with-password', 'auth.withPassword'],
  ['auth-refresh', 'auth.refresh'],
  ['request-otp', 'auth.requestOtp'],
  ['auth-with-otp', 'auth.withOtp'],
  ['auth-with-oauth2', 'auth.withOAuth2'],
  ['request-verification', 'auth.requestVerification'],
  ['confirm-verification', 'auth.confirmVerification'],
  ['request-password-reset', 'auth.requestPasswordReset'],
  ['confirm-password-reset', 'auth.confirmPasswordReset'],
  ['request-email-change', 'auth.requestEmailChange'],
  ['confirm-email-change', 'auth.confirmEmailChange'],
  ['auth-logout-all', 'auth.logoutAll'],
];

/**
 * PocketBase's auth endpoints under `/api/collections/:collection/`, plus Tandem's
 * refresh-token grant, cookie sessions and logout, as REST routes over the auth actions.
 * What only HTTP does stays here: rate limits per client address, the session cookie
 * (set on sign-in, read and cleared on logout), the MFA step's 401 `{mfaId}`, and
 * `no-store` on every answer.
 */
export function registerAuthActionRoutes(
  app: FastifyInstance,
  dispatcher: ActionDispatcher,
  limits: AuthRateLimits,
): void {
  if (!dispatcher.describe('auth.methods')) return;
  app.get(`${BASE}/auth-methods`, (request, reply) =>
    answer(reply, () => dispatch(dispatcher, 'auth.methods', request)),
  );
  for (const [path, action] of AUTH_POSTS) {
    app.post(`${BASE}/${path}`, async (request, reply) => {
      reply.header('cache-control', 'no-store');
      await limits.check(path, callerOf(request), toBodyObject(request.body));
      return answer(reply, () => dispatch(dispatcher, action, request));
    });
  }
  app.post(`${BASE}/auth-logout`, async (request, reply) => {
    reply.header('cache-control', 'no-store');
    await limits.check('auth-logout', callerOf(request), toBodyObject(request.body));
    const input = withSession(restInput(request), readCookie(request, SESSION_COOKIE));
    await dispatcher.dispatch('auth.logout', input, toRequestContext(request));
    clearSessionCookie(reply);
    return reply.code(204).send();
  });
  app.post(`${BASE}/impersonate/:id`, (request, reply) => {
    reply.header('cache-control', 'no-store');
    return answer(reply, () => dispatch(dispatcher, 'auth.impersonate', request));
  });
}

/** Who makes the attempt, for the rate limits: `request.ip` is the socket address unless a trusted proxy is configured. */
function callerOf(request: FastifyRequest): AuthCaller {
  return { ip: request.ip, collection: (request.params as { collection?: string }).collection ?? '' };
}

function dispatch(dispatcher: ActionDispatcher, action: string, request: FastifyRequest): Promise<ActionResult> {
  return dispatcher.dispatch(action, restInput(request), toRequestContext(request));
}

/** Sends an auth action's answer: a session becomes the cookie (its CSRF token goes in the body); MFA's step is 401 `{mfaId}`. */
async function answer(reply: FastifyReply, run: () => Promise<ActionResult>): Promise<FastifyReply> {
  let result: ActionResult;
  try {
    result = await run();
  } catch (error) {
    if (isAppError(error) && error.code === 'AUTH_MFA_REQUIRED')
      return reply.code(401).send({ mfaId: error.data.mfaId });
    throw error;
  }
  if (result.status === 204) return reply.code(204).send();
  if (!result.session) return reply.code(result.status).send(result.body);
  setSessionCookie(reply, result.session.id, result.session.maxAgeSeconds);
  return reply.code(result.status).send({ ...(result.body as object), csrfToken: result.session.csrfToken });
}

/** The logout's input with the session id the cookie names (only HTTP has the cookie). */
function withSession(input: ActionInput, sessionId: string | undefined): ActionInput {
  return sessionId === undefined ? input : { ...input, params: { ...input.params, sessionId } };
}
