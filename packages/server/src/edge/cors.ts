import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { SESSION_COOKIE } from '../auth/session-cookie.js';

/** What the CORS hook needs, resolved once. */
export interface CorsPolicy {
  /** Origins that may read answers without credentials; `['*']` for any. */
  readonly corsOrigins: readonly string[];
  /** Origins besides the server's own that may read cookie-authenticated answers. */
  readonly trustedOrigins: readonly string[];
}

const ALLOW_METHODS = 'GET, HEAD, PUT, PATCH, POST, DELETE';
const ALLOW_HEADERS = 'Authorization, Content-Type, X-CSRF-Token, If-None-Match';
/** The answer's headers a page may read (the guest view lane sends the same). */
export const EXPOSE_HEADERS = 'ETag, Retry-After, Server-Timing, X-Request-Id';
// Chromium caps preflight caching at 2 hours; Firefox at 24.
const MAX_AGE = '7200';
const SESSION_COOKIE_PREFIX = `${SESSION_COOKIE}=`;

/**
 * Answers CORS: PocketBase's permissive default (any origin, `*`) for requests without
 * the session cookie, and for requests with it only the server's own origin or a trusted
 * one, echoed with `Access-Control-Allow-Credentials: true` (never `*` with credentials).
 * Preflights (`OPTIONS` with `Access-Control-Request-Method`) are answered 204 here.
 */
export function installCors(app: FastifyInstance, policy: CorsPolicy): void {
  const anyOrigin = policy.corsOrigins.includes('*');
  const listed = new Set([...policy.corsOrigins, ...policy.trustedOrigins]);
  const trusted = new Set(policy.trustedOrigins);
  const isCredentialedOrigin = (origin: string, request: FastifyRequest) =>
    trusted.has(origin) || isOwnOrigin(origin, request);
  app.addHook('onRequest', (request, reply, done) => {
    const origin = request.headers.origin;
    if (origin === undefined) return done();
    const preflight = request.method === 'OPTIONS' && request.headers['access-control-request-method'] !== undefined;
    const cookie = hasSessionCookie(request.headers.cookie);
    // Browsers never send cookies on a preflight: allow credentials there for the origins
    // that may send them, so the credentialed request that follows can pass.
    if ((preflight || cookie) && isCredentialedOrigin(origin, request)) allowWithCredentials(reply, origin);
    // NB: a request with the session cookie from an origin that may not use it gets no
    // CORS headers at all, so the browser hides the answer from that page.
    else if (!cookie) allowPlain(reply, origin, anyOrigin, listed);
    if (!preflight) return done();
    if (reply.raw.hasHeader('access-control-allow-origin')) setPreflightHeaders(reply);
    reply.code(204).send();
  });
}

function allowWithCredentials(reply: FastifyReply, origin: string): void {
  const raw = reply.raw;
  raw.setHeader('access-control-allow-origin', origin);
  raw.setHeader('access-control-allow-credentials', 'true');
  raw.setHeader('access-control-expose-headers', EXPOSE_HEADERS);
  raw.setHeader('vary', 'Origin');
}

function allowPlain(reply: FastifyReply, origin: string, anyOrigin: boolean, listed: ReadonlySet<string>): void {
  const raw = reply.raw;
  if (anyOrigin) raw.setHeader('access-control-allow-origin', '*');
  else if (listed.has(origin)) raw.setHeader('access-control-allow-origin', origin);
  else return void raw.setHeader('vary', 'Origin');
  if (!anyOrigin) raw.setHeader('vary', 'Origin');
  raw.setHeader('access-control-expose-headers', EXPOSE_HEADERS);
}

function setPreflightHeaders(reply: FastifyReply): void {
  const raw = reply.raw;
  raw.setHeader('access-control-allow-methods', ALLOW_METHODS);
  raw.setHeader('access-control-allow-headers', ALLOW_HEADERS);
  raw.setHeader('access-control-max-age', MAX_AGE);
}

function hasSessionCookie(cookie: string | undefined): boolean {
  return cookie?.includes(SESSION_COOKIE_PREFIX) === true;
}

/** The Origin names the host this request was sent to (as the WebSocket handshake checks it). */
function isOwnOrigin(origin: string, request: FastifyRequest): boolean {
  try {
    return new URL(origin).host === request.headers.host;
  } catch {
    return false;
  }
}
