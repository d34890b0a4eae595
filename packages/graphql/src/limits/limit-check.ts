import { visit, type DocumentNode, type GraphQLError, type GraphQLSchema } from 'graphql';
import { tandemError } from '../errors/graphql-errors.js';
import type { GraphqlLimits } from './graphql-limits.js';
import { measureOperation, type QueryMeasure } from './query-measure.js';

type Measured = keyof QueryMeasure;
const LIMIT_OF: Record<Measured, 'maxDepth' | 'maxFields' | 'maxAliases' | 'maxCost'> = {
  depth: 'maxDepth',
  fields: 'maxFields',
  aliases: 'maxAliases',
  cost: 'maxCost',
};

/** The query text's size in bytes over the limit: 413 GRAPHQL_QUERY_TOO_LARGE, before it is parsed. */
export function queryTooLarge(query: unknown, limits: GraphqlLimits): GraphQLError | undefined {
  if (typeof query !== 'string' || query.length * 3 <= limits.maxQueryBytes) return undefined;
  const bytes = Buffer.byteLength(query);
  if (bytes <= limits.maxQueryBytes) return undefined;
  return tandemError('GRAPHQL_QUERY_TOO_LARGE', undefined, { data: { maxBytes: limits.maxQueryBytes } });
}

/**
 * Holds a parsed document to the limits, before it is validated or run: operations per
 * document, writes per mutation, then depth, fields, aliases and cost of each operation,
 * and introspection when it is switched off. Returns the refusal, or nothing.
 */
export function checkLimits(
  schema: GraphQLSchema,
  document: DocumentNode,
  limits: GraphqlLimits,
  variables: Readonly<Record<string, unknown>> = {},
): GraphQLError[] {
  const operations = document.definitions.filter((d) => d.kind === 'OperationDefinition');
  if (operations.length > limits.maxOperations) return [over('operations', operations.length, limits.maxOperations)];
  for (const operation of operations) {
    const writes = operation.operation === 'mutation' ? operation.selectionSet.selections.length : 0;
    if (writes > limits.maxOperations) return [over('mutation fields', writes, limits.maxOperations)];
    const measured = measureOperation(schema, document, operation, limits.listFactor, variables);
    for (const key of Object.keys(LIMIT_OF) as Measured[]) {
      const limit = limits[LIMIT_OF[key]];
      if (measured[key] > limit) return [over(key, measured[key], limit)];
    }
  }
  return limits.introspection ? [] : introspectionRefusals(document);
}

function over(what: string, found: number, limit: number): GraphQLError {
  const message = `The query has ${found} ${what}; the limit is ${limit}.`;
  return tandemError('GRAPHQL_LIMIT_EXCEEDED', message, { data: { limit: what, max: limit, found } });
}

/** `__schema` and `__type` anywhere (`__typename` stays: clients need it). */
function introspectionRefusals(document: DocumentNode): GraphQLError[] {
  const refusals: GraphQLError[] = [];
  visit(document, {
    Field(node) {
      const name = node.name.value;
      if (name === '__schema' || name === '__type')
        refusals.push(tandemError('GRAPHQL_INTROSPECTION_DISABLED', undefined, { nodes: [node] }));
    },
  });
  return refusals.slice(0, 1);
}
