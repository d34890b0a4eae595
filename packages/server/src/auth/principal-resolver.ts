import { timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { AppError, guest, tokenFromHeader, type AuthService, type Principal } from '@tandem/core';
import { readCookie, SESSION_COOKIE } from './session-cookie.js';
import type { PrincipalResolver } from './request-principal.js';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Settings of the credential check. */
export interface ResolverOptions {
  /** Origins (scheme://host[:port]) besides the server's own that may send cookie-authenticated writes. */
  readonly trustedOrigins?: readonly string[];
}

/**
 * Builds the resolver: an `Authorization` header (raw or `Bearer`) wins and a bad token
 * is a guest; otherwise a session cookie. A cookie-authenticated unsafe request must come
 * from an allowed Origin and carry the session's CSRF token in `X-CSRF-Token`, or it is
 * refused (403) — a cookie the browser attaches on its own proves nothing.
 */
export function createPrincipalResolver(auth: AuthService, options: ResolverOptions = {}): PrincipalResolver {
  return async (request) => {
    const header = request.headers.authorization;
    if (header !== undefined) {
      const token = tokenFromHeader(header);
      return (token && (await auth.principalOfToken(token))) || guest;
    }
    const sessionId = readCookie(request, SESSION_COOKIE);
    if (!sessionId) return guest;
    const session = await auth.principalOfSession(sessionId);
    if (!session) return guest;
    if (!SAFE_METHODS.has(request.method)) assertSameOriginWithCsrf(request, session.csrfToken, options);
    return session.principal;
  };
}

function assertSameOriginWithCsrf(request: FastifyRequest, csrfToken: string, options: ResolverOptions): void {
  const origin = request.headers.origin;
  const own = `${request.protocol}://${request.host}`; // request.host reads :authority over HTTP/2
  const originOk = typeof origin === 'string' && (origin === own || (options.trustedOrigins ?? []).includes(origin));
  const sent = request.headers['x-csrf-token'];
  const tokenOk =
    typeof sent === 'string' &&
    sent.length === csrfToken.length &&
    timingSafeEqual(Buffer.from(sent), Buffer.from(csrfToken));
  if (!originOk || !tokenOk) throw new AppError('AUTH_CSRF_FAILED');
}

export type { Principal };
