import type { FastifyReply, FastifyRequest } from 'fastify';

/**
 * The session cookie. The `__Host-` prefix pins it to this host and path `/`, and
 * browsers only accept it with `Secure`, which they allow over TLS and on loopback.
 */
export const SESSION_COOKIE = '__Host-tandem_session';

/** Reads one cookie from the Cookie header (first occurrence wins), or undefined. */
export function readCookie(request: FastifyRequest, name: string): string | undefined {
  return readCookieHeader(request.headers.cookie, name);
}

/** Reads one cookie from a raw Cookie header (WebSocket upgrades have no Fastify request). */
export function readCookieHeader(header: string | undefined, name: string): string | undefined {
  if (!header || header.length > 16_384) return undefined;
  for (const part of header.split(';')) {
    const index = part.indexOf('=');
    if (index < 0 || part.slice(0, index).trim() !== name) continue;
    const value = part.slice(index + 1).trim();
    return /^[A-Za-z0-9_-]{1,512}$/.test(value) ? value : undefined;
  }
  return undefined;
}

/** Sets the session cookie: HttpOnly, SameSite=Lax, Secure, Path=/, no Domain. */
export function setSessionCookie(reply: FastifyReply, sessionId: string, maxAgeSeconds: number): void {
  reply.header(
    'set-cookie',
    `${SESSION_COOKIE}=${sessionId}; Path=/; Max-Age=${maxAgeSeconds}; HttpOnly; Secure; SameSite=Lax`,
  );
}

/** Clears the session cookie. */
export function clearSessionCookie(reply: FastifyReply): void {
  reply.header('set-cookie', `${SESSION_COOKIE}=; Path=/; Max-Age=0; HttpOnly; Secure; SameSite=Lax`);
}
