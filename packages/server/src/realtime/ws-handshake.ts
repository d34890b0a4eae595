import type { IncomingMessage } from 'node:http';
import { guest, tokenFromHeader, type AuthService, type Principal, type RealtimeCredential } from '@tandem/core';
import { readCookieHeader, SESSION_COOKIE } from '../auth/session-cookie.js';

/** What the upgrade request proved: who the socket starts as, or why it is refused. */
export type HandshakeResult =
  | { ok: true; principal: Principal; credential: RealtimeCredential | undefined }
  | { ok: false; status: 401 | 403; reason: string };

/**
 * Checks a WebSocket upgrade before it happens. A browser's `Origin` must be the
 * server's own or a trusted one (cross-site WebSocket hijacking rides on ambient
 * cookies). Credentials come from an `Authorization` header (non-browser clients) or
 * the session cookie; credentials that are present but invalid refuse the upgrade.
 * Tokens never travel in the URL; a browser authenticates with its session cookie or
 * with an `auth` message after the upgrade.
 */
export async function checkHandshake(
  request: IncomingMessage,
  auth: AuthService | undefined,
  trustedOrigins: readonly string[],
): Promise<HandshakeResult> {
  const origin = request.headers.origin;
  if (origin !== undefined && !isAllowedOrigin(origin, request, trustedOrigins))
    return { ok: false, status: 403, reason: 'Origin not allowed' };
  if (!auth) return { ok: true, principal: guest, credential: undefined };
  const header = request.headers.authorization;
  if (header !== undefined) {
    const token = tokenFromHeader(header);
    const principal = token ? await auth.principalOfToken(token) : undefined;
    return principal
      ? { ok: true, principal, credential: { kind: 'token', token: token! } }
      : { ok: false, status: 401, reason: 'Invalid token' };
  }
  const sessionId = readCookieHeader(request.headers.cookie, SESSION_COOKIE);
  if (sessionId === undefined) return { ok: true, principal: guest, credential: undefined };
  const session = await auth.principalOfSession(sessionId);
  if (!session) return { ok: false, status: 401, reason: 'Invalid session' };
  if (origin === undefined) return { ok: false, status: 403, reason: 'A cookie-authenticated socket needs an Origin' };
  return { ok: true, principal: session.principal, credential: { kind: 'session', sessionId } };
}

function isAllowedOrigin(origin: string, request: IncomingMessage, trusted: readonly string[]): boolean {
  if (trusted.includes(origin)) return true;
  try {
    return new URL(origin).host === request.headers.host;
  } catch {
    return false;
  }
}
