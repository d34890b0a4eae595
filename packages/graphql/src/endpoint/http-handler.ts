import { GraphQLError, parse } from 'graphql';
import { createHandler, type Handler, type Response } from 'graphql-http';
import type { ActionDispatcher, RequestContext } from '@tandem/core';
import { fromAppError, tandemError, toTandemError } from '../errors/graphql-errors.js';
import { checkLimits, queryTooLarge } from '../limits/limit-check.js';
import type { GraphqlLimits } from '../limits/graphql-limits.js';
import { createGraphqlContext, type GraphqlContext } from '../resolve/graphql-context.js';
import { tooManyRelated } from '../resolve/record-loaders.js';

type OpenContext = Record<PropertyKey, unknown>;
import type { TandemSchema } from '../schema/schema-builder.js';

/** What the HTTP handler runs on. */
export interface HttpHandlerDeps {
  readonly schema: () => TandemSchema;
  readonly actions: ActionDispatcher;
  readonly limits: GraphqlLimits;
}

/** Most tokens a query may hold; a query text within the size limit stays well below it. */
export const maxTokensOf = (limits: GraphqlLimits): number => Math.ceil(limits.maxQueryBytes / 2);

/**
 * GraphQL over HTTP with graphql-http: it reads the request (GET or POST), negotiates the
 * media type and answers per the spec. Before validation a query is held to the limits
 * (413 for its size, 400 for depth, aliases, fields, cost, operations, introspection,
 * whatever the media type: these are refusals, not validation failures). Every
 * resolver runs as the request's principal through the action dispatcher.
 */
export function createHttpHandler(deps: HttpHandlerDeps): Handler<unknown, RequestContext> {
  const maxTokens = maxTokensOf(deps.limits);
  return createHandler<unknown, RequestContext, OpenContext>({
    schema: () => deps.schema().schema,
    // NB: graphql-http types its context as an open record; resolvers read it as GraphqlContext.
    context: (request) => createGraphqlContext(deps.actions, request.context) as unknown as OpenContext,
    parse: (source) => parse(source, { maxTokens }),
    onSubscribe: (_request, params) => {
      const tooLarge = queryTooLarge(params.query, deps.limits);
      if (tooLarge) return refusal(413, [tooLarge]);
      const document = tryParse(params.query, maxTokens);
      if (!document) return undefined; // graphql-http reports the syntax error itself
      const refused = checkLimits(deps.schema().schema, document, deps.limits, params.variables ?? {});
      return refused.length > 0 ? refusal(400, refused) : undefined;
    },
    // An operation whose relations resolved past the budget is answered with that error
    // alone (400, as the limits checked before it runs), not with a partial result and one
    // error for every field that was cut.
    onOperation: (_request, args) =>
      (args.contextValue as unknown as GraphqlContext).loaders.overBudget
        ? refusal(400, [fromAppError(tooManyRelated())])
        : undefined,
    formatError: (error) =>
      error instanceof GraphQLError ? toTandemError(error) : tandemError('GRAPHQL_INVALID', error.message),
  });
}

function tryParse(query: string, maxTokens: number) {
  try {
    return parse(query, { maxTokens });
  } catch {
    return undefined;
  }
}

function refusal(status: number, errors: readonly GraphQLError[]): Response {
  const body = JSON.stringify({ errors: errors.map((e) => e.toJSON()) });
  const statusText = status === 413 ? 'Payload Too Large' : 'Bad Request';
  return [body, { status, statusText, headers: { 'content-type': 'application/json; charset=utf-8' } }];
}
