import { getOperationAST, Kind, parse, type DocumentNode, type ValueNode } from 'graphql';
import type { TandemSchema } from '../schema/schema-builder.js';

/** What a query reads, for its cache key: the collections of its root fields and the filters it passes. */
export interface QueryReach {
  readonly collections: readonly string[];
  readonly filters: readonly string[];
}

/** The request parameters of a GraphQL query sent by GET. */
export interface QueryParams {
  readonly query: string;
  readonly variables?: Record<string, unknown> | null;
  readonly operationName?: string | null;
}

/**
 * The collections and filters a query reads, or undefined when it must not be cached:
 * it does not parse, is not a query, or has a root selection other than a collection
 * field (fragments, introspection). Relations are covered by the cache key's reach of
 * the root collections (every collection a relation or back-relation leads to).
 */
export function queryReach(schema: TandemSchema, params: QueryParams, maxTokens: number): QueryReach | undefined {
  let document: DocumentNode;
  try {
    document = parse(params.query, { maxTokens });
  } catch {
    return undefined;
  }
  const operation = getOperationAST(document, params.operationName ?? undefined);
  if (operation?.operation !== 'query') return undefined;
  const collections = new Set<string>();
  const filters: string[] = [];
  for (const selection of operation.selectionSet.selections) {
    if (selection.kind !== Kind.FIELD) return undefined;
    const collection = schema.rootCollections.get(selection.name.value);
    if (!collection) return undefined;
    collections.add(collection);
    const filter = selection.arguments?.find((a) => a.name.value === 'filter');
    const text = filter ? argumentText(filter.value, params.variables ?? {}) : undefined;
    if (typeof text === 'string') filters.push(text);
  }
  return { collections: [...collections], filters };
}

function argumentText(node: ValueNode, variables: Record<string, unknown>): unknown {
  if (node.kind === Kind.VARIABLE) return variables[node.name.value];
  return node.kind === Kind.STRING ? node.value : undefined;
}
