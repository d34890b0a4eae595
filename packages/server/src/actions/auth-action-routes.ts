import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import {
  AppError,
  isAppError,
  tokenFromHeader,
  type AuthRequestOptions,
  type AuthResult,
  type AuthService,
} from '@tandem/core';
import { toRequestContext } from './request-context.js';
import { sendJson } from '../http/json-reply.js';
import { clearSessionCookie, readCookie, SESSION_COOKIE, setSessionCookie } from './session-cookie.js';
import { principalOf } from './request-principal.js';
import type { AuthRateLimits } from './auth-rate-limit.js';

type Params = { collection: string };
type Body = Record<string, unknown>;
type Query = Record<string, string | undefined>;
type Request = FastifyRequest<{ Params: Params; Querystring: Query }>;

/**
 * PocketBase's auth endpoints under `/api/collections/:collection/`, plus Tandem's
 * refresh-token grant, cookie sessions and logout. Every answer is `no-store`.
 */
export function registerAuthRoutes(app: FastifyInstance, auth: AuthService, limits: AuthRateLimits): void {
  const base = '/api/collections/:collection';
  const post = (path: string, handler: (request: Request, reply: FastifyReply, body: Body) => Promise<unknown>) =>
    app.post<{ Params: Params; Querystring: Query }>(`${base}/${path}`, async (request, reply) => {
      reply.header('cache-control', 'no-store');
      await limits.check(path, request, bodyOf(request));
      return handler(request, reply, bodyOf(request));
    });

  app.get<{ Params: Params; Querystring: Query }>(`${base}/auth-methods`, async (request, reply) => {
    const methods = auth.authMethods(request.params.collection);
    const legacy = {
      authProviders: [],
      usernamePassword: methods.password.enabled,
      emailPassword: methods.password.enabled,
    };
    return sendJson(request, reply, request.query.fields ? methods : { ...methods, ...legacy });
  });

  post('auth-with-password', async (request, reply, body) =>
    sendAuth(request, reply, () =>
      auth.authWithPassword(request.params.collection, body, authOptions(request, body), toRequestContext(request)),
    ),
  );

  post('auth-refresh', async (request, reply, body) => {
    const options = authOptions(request, body);
    if (typeof body.refreshToken === 'string')
      return sendAuth(request, reply, () =>
        auth.refreshWithToken(request.params.collection, body.refreshToken, options, toRequestContext(request)),
      );
    return sendAuth(request, reply, () =>
      auth.authRefresh(
        request.params.collection,
        tokenFromHeader(request.headers.authorization),
        options,
        toRequestContext(request),
      ),
    );
  });

  post('request-otp', async (request, reply, body) =>
    sendJson(request, reply, await auth.requestOtp(request.params.collection, body.email)),
  );
  post('auth-with-otp', async (request, reply, body) =>
    sendAuth(request, reply, () =>
      auth.authWithOtp(request.params.collection, body, authOptions(request, body), toRequestContext(request)),
    ),
  );

  const noContent = (path: string, run: (request: Request, body: Body) => Promise<void>) =>
    post(path, async (request, reply, body) => {
      await run(request, body);
      return reply.code(204).send();
    });
  noContent('request-verification', (request, body) => auth.requestVerification(request.params.collection, body.email));
  noContent('confirm-verification', (request, body) => auth.confirmVerification(request.params.collection, body.token));
  noContent('request-password-reset', (request, body) =>
    auth.requestPasswordReset(request.params.collection, body.email),
  );
  noContent('confirm-password-reset', (request, body) => auth.confirmPasswordReset(request.params.collection, body));
  noContent('request-email-change', (request, body) =>
    auth.requestEmailChange(request.params.collection, principalOf(request), body.newEmail),
  );
  noContent('confirm-email-change', (request, body) => auth.confirmEmailChange(request.params.collection, body));
  noContent('auth-logout-all', (request, body) =>
    auth.logoutEverywhere(request.params.collection, principalOf(request), body.recordId),
  );

  post('auth-logout', async (request, reply, body) => {
    await auth.logout(readCookie(request, SESSION_COOKIE), body.refreshToken);
    clearSessionCookie(reply);
    return reply.code(204).send();
  });

  app.post<{ Params: Params & { id: string }; Querystring: Query }>(
    `${base}/impersonate/:id`,
    async (request, reply) => {
      reply.header('cache-control', 'no-store');
      const body = bodyOf(request);
      const result = await auth.impersonate(
        request.params.collection,
        request.params.id,
        body.duration,
        toRequestContext(request),
      );
      return sendJson(request, reply, result);
    },
  );
}

/** Runs an auth action and answers PocketBase's `{token, record}`; the MFA step answers 401 `{mfaId}` alone. */
async function sendAuth(request: Request, reply: FastifyReply, run: () => Promise<AuthResult>): Promise<FastifyReply> {
  let result: AuthResult;
  try {
    result = await run();
  } catch (error) {
    if (isAppError(error) && error.code === 'AUTH_MFA_REQUIRED')
      return reply.code(401).send({ mfaId: error.data.mfaId });
    throw error;
  }
  const { session, ...body } = result;
  if (session) setSessionCookie(reply, session.id, session.maxAgeSeconds);
  return sendJson(request, reply, session ? { ...body, csrfToken: session.csrfToken } : body);
}

function authOptions(request: Request, body: Body): AuthRequestOptions {
  const mfaId = typeof body.mfaId === 'string' ? body.mfaId : request.query.mfaId;
  return {
    refreshToken: body.refreshToken === true,
    session: body.session === true,
    mfaId,
    expand: request.query.expand,
  };
}

function bodyOf(request: FastifyRequest): Body {
  const body = request.body;
  if (body === undefined || body === null) return {};
  if (typeof body !== 'object' || Array.isArray(body)) throw new AppError('BODY_INVALID');
  return body as Body;
}
