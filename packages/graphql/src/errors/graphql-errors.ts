import { GraphQLError, type ASTNode } from 'graphql';
import { AppError, errorCatalog, isAppError, type ErrorCode } from '@tandem/core';

/** What every Tandem GraphQL error carries: the catalog code, the HTTP-equivalent status and REST's `data`. */
export interface TandemErrorExtensions {
  readonly code: ErrorCode;
  readonly status: number;
  readonly data?: Record<string, unknown>;
  [key: string]: unknown;
}

/** A GraphQL error for a catalogued code, with `extensions.code` and `extensions.status`. */
export function tandemError(
  code: ErrorCode,
  message?: string,
  options: { nodes?: readonly ASTNode[]; data?: Record<string, unknown> } = {},
): GraphQLError {
  const status = errorCatalog[code].status;
  const extensions: TandemErrorExtensions = options.data ? { code, status, data: options.data } : { code, status };
  return new GraphQLError(message ?? errorCatalog[code].message, { nodes: options.nodes, extensions });
}

/** An AppError thrown by an action, as GraphQL reports it: same code, status, message and data as REST. */
export function fromAppError(error: AppError): GraphQLError {
  const data = error.data && Object.keys(error.data).length > 0 ? { ...error.data } : undefined;
  return tandemError(error.code, error.message, { data });
}

/**
 * Formats any error a resolver or the executor raised. AppErrors keep their code; an
 * error graphql-js made itself (a bad variable, a wrong argument) is GRAPHQL_INVALID;
 * anything else is a fault: INTERNAL, with no internals in the message.
 */
export function toTandemError(error: GraphQLError): GraphQLError {
  const original = error.originalError;
  if (original && isAppError(original)) return withLocation(fromAppError(original), error);
  if (typeof error.extensions?.code === 'string' && error.extensions.code in errorCatalog) return error;
  if (original && !(original instanceof GraphQLError)) return withLocation(tandemError('INTERNAL'), error);
  return withLocation(tandemError('GRAPHQL_INVALID', error.message), error);
}

function withLocation(made: GraphQLError, from: GraphQLError): GraphQLError {
  return new GraphQLError(made.message, {
    nodes: from.nodes,
    source: from.source,
    positions: from.positions,
    path: from.path,
    extensions: made.extensions,
  });
}

export { AppError };
