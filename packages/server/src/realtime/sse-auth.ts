import type { FastifyRequest } from 'fastify';
import { AppError, tokenFromHeader, type Principal, type RealtimeClient, type RealtimeCredential } from '@tandem/core';
import { principalOf } from '../auth/request-principal.js';
import { readCookie, SESSION_COOKIE } from '../auth/session-cookie.js';

/**
 * Binds the POST's principal to the client, with PocketBase's rule: a guest client may
 * become authenticated; an authenticated client may only keep the same principal
 * (another one, or a guest, is a 403). The credential is kept so the broker can check
 * it again when the auth record changes.
 */
export function bindRequestPrincipal(client: RealtimeClient, request: FastifyRequest): void {
  bindPrincipal(client, principalOf(request), credentialOf(request));
}

/** `bindRequestPrincipal` for a POST another instance received and forwarded (see sse-relay.ts). */
export function bindPrincipal(
  client: RealtimeClient,
  next: Principal,
  credential: RealtimeCredential | undefined,
): void {
  const current = client.principal;
  if (current.kind !== 'guest' && !isSamePrincipal(current, next)) {
    throw new AppError('FORBIDDEN', "The current and the previous request authorization don't match.");
  }
  if (next.kind !== 'guest') client.setPrincipal(next, credential);
}

/** True when both principals are the same superuser or the same auth record. */
export function isSamePrincipal(a: Principal, b: Principal): boolean {
  if (a.kind === 'superuser' && b.kind === 'superuser') return a.id === b.id;
  if (a.kind === 'record' && b.kind === 'record')
    return a.collection.id === b.collection.id && a.record.id === b.record.id;
  return a.kind === 'guest' && b.kind === 'guest';
}

/** The credential the principal was resolved from: the Authorization header wins, as in the resolver. */
export function credentialOf(request: FastifyRequest): RealtimeCredential | undefined {
  const header = request.headers.authorization;
  if (header !== undefined) {
    const token = tokenFromHeader(header);
    return token ? { kind: 'token', token } : undefined;
  }
  const sessionId = readCookie(request, SESSION_COOKIE);
  return sessionId ? { kind: 'session', sessionId } : undefined;
}
