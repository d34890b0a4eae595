import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AppError, guest, type Principal } from '@tandem/core';

/**
 * Turns a request's credentials (token header, session cookie) into a Principal. The
 * composition root passes the real resolver; a request without valid credentials is a
 * guest, never an error (PocketBase semantics: a bad token on a public endpoint is a guest).
 */
export type PrincipalResolver = (request: FastifyRequest) => Promise<Principal> | Principal;

// A symbol-keyed slot on the request (not enumerable by name, never serialized) rather
// than a WeakMap, whose entries cost the garbage collector on every request; a request
// that never went through the hook reads as a guest.
const PRINCIPAL = Symbol('tandem.principal');
type PrincipalCarrier = FastifyRequest & { [PRINCIPAL]?: Principal };

/** Declares the slot on every request of `app` (once, on the root instance), so that requests keep one shape. */
export function declarePrincipal(app: FastifyInstance): void {
  app.decorateRequest(PRINCIPAL, undefined);
}

/** Records who is asking (called once per request by the auth hook). */
export function setPrincipal(request: FastifyRequest, principal: Principal): void {
  (request as PrincipalCarrier)[PRINCIPAL] = principal;
}

/** Who is asking: the principal the auth hook resolved, or a guest. */
export function principalOf(request: FastifyRequest): Principal {
  return (request as PrincipalCarrier)[PRINCIPAL] ?? guest;
}

/** The principal when it is a superuser; 401 for a guest, 403 for anyone else. */
export function requireSuperuser(request: FastifyRequest): Principal {
  const principal = principalOf(request);
  if (principal.kind === 'superuser') return principal;
  throw new AppError(principal.kind === 'guest' ? 'AUTH_REQUIRED' : 'SUPERUSER_ONLY');
}

/** The principal when it is a record of an auth collection (or a superuser); 401 otherwise. */
export function requireAuth(request: FastifyRequest): Principal {
  const principal = principalOf(request);
  if (principal.kind === 'guest') throw new AppError('AUTH_REQUIRED');
  return principal;
}
