import type { GraphQLFieldResolver } from 'graphql';
import { AppError, type Principal } from '@tandem/core';
import type { GraphqlContext } from './graphql-context.js';

type Resolver = GraphQLFieldResolver<unknown, GraphqlContext, Record<string, unknown>>;

/**
 * `auth_with_password_<collection>(identity, password)`: `auth.withPassword`, answering
 * `{token, record}`. The MFA step is the error AUTH_MFA_REQUIRED with `data.mfaId`, as over
 * REST; no cookie session is opened (GraphQL answers carry no cookies).
 */
export function authWithPasswordResolver(collection: string): Resolver {
  return async (_source, args, context) => {
    const body = { identity: args.identity, password: args.password };
    const input = { params: { collection }, query: {}, body };
    return (await context.actions.dispatch('auth.withPassword', input, context.request)).body;
  };
}

/** `auth_refresh_<collection>`: `auth.refresh` with the request's own token (its `Authorization`). */
export function authRefreshResolver(collection: string): Resolver {
  return async (_source, _args, context) => {
    const input = { params: { collection }, query: {}, body: {} };
    return (await context.actions.dispatch('auth.refresh', input, context.request)).body;
  };
}

/** The collection whose token the caller holds: its own auth collection, `_superusers` for a superuser. */
function tokenCollectionOf(principal: Principal): string {
  if (principal.kind === 'record') return principal.collection.id;
  if (principal.kind === 'superuser') return '_superusers';
  throw new AppError('AUTH_REQUIRED');
}

/**
 * `auth_refresh`: `auth.refresh` with the request's own token, in the auth collection
 * the token belongs to; the answer's record is JSON, as its type depends on the caller.
 */
export const authRefreshAnyResolver: Resolver = async (_source, _args, context) => {
  const collection = tokenCollectionOf(context.request.principal);
  const input = { params: { collection }, query: {}, body: {} };
  return (await context.actions.dispatch('auth.refresh', input, context.request)).body;
};
