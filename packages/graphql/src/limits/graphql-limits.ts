/**
 * The limits every GraphQL request is held to, checked before anything runs (see
 * docs/graphql.md#limits). Resolved and frozen once, when the endpoint is built.
 */
export interface GraphqlLimits {
  /** Longest query text in bytes (413 GRAPHQL_QUERY_TOO_LARGE above it). */
  readonly maxQueryBytes: number;
  /** Deepest nesting of selections (`posts { items { author { name } } }` is 4). */
  readonly maxDepth: number;
  /** Most aliased fields in one document. */
  readonly maxAliases: number;
  /** Most fields selected in one operation, fragments expanded. */
  readonly maxFields: number;
  /** Highest total cost: a field costs 1; a page's `items` cost `perPage` times, other lists `listFactor` times. */
  readonly maxCost: number;
  /** How many items a list field is assumed to return when costing a query. */
  readonly listFactor: number;
  /** Most operations in one document, and most writes (root fields) in one mutation. */
  readonly maxOperations: number;
  /** `false` refuses `__schema` and `__type` (GRAPHQL_INTROSPECTION_DISABLED). */
  readonly introspection: boolean;
}

/** Tandem's defaults. */
export const defaultGraphqlLimits: GraphqlLimits = Object.freeze({
  maxQueryBytes: 100 * 1024,
  maxDepth: 10,
  maxAliases: 30,
  maxFields: 500,
  maxCost: 50_000,
  listFactor: 10,
  maxOperations: 20,
  introspection: true,
});

/** The defaults with the given values over them, frozen; a non-positive number is refused. */
export function resolveGraphqlLimits(given: Partial<GraphqlLimits> = {}): GraphqlLimits {
  const limits = { ...defaultGraphqlLimits, ...given };
  for (const [name, value] of Object.entries(limits))
    if (typeof value === 'number' && !(Number.isSafeInteger(value) && value > 0))
      throw new RangeError(`GraphQL limit ${name} must be a positive integer.`);
  return Object.freeze(limits);
}
