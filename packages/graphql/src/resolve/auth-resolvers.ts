import type { GraphQLFieldResolver } from 'graphql';
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
