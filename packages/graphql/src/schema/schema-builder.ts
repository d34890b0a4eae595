import { GraphQLObjectType, GraphQLSchema, type GraphQLFieldConfigMap } from 'graphql';
import type { Collection } from '@tandem/core';
import type { GraphqlContext } from '../resolve/graphql-context.js';
import { buildCollectionTypes, type CollectionTypes } from './collection-types.js';
import { isGraphqlName, RESERVED_TYPE_NAMES, typeNameOf } from './graphql-names.js';
import { authRefreshField, mutationFields, queryFields, subscriptionFields } from './root-fields.js';

/** A schema and which collection each root field reads (for cache keys). */
export interface TandemSchema {
  readonly schema: GraphQLSchema;
  /** Root query field name → collection id. */
  readonly rootCollections: ReadonlyMap<string, string>;
}

type Fields = GraphQLFieldConfigMap<unknown, GraphqlContext>;

/**
 * Generates the schema from the collections: one object type per collection, a list
 * type, create and update inputs, an event type, and the root fields that call the
 * actions. A collection whose name GraphQL cannot spell, or whose type name another
 * collection already took, is left out (docs/graphql.md#naming).
 */
export function buildSchema(collections: readonly Collection[]): TandemSchema {
  const types = new Map<string, CollectionTypes>();
  const taken = new Set(RESERVED_TYPE_NAMES);
  const included = collections.filter((c) => {
    const typeName = typeNameOf(c);
    if (!isGraphqlName(c.name) || !isGraphqlName(typeName) || taken.has(typeName)) return false;
    for (const suffix of ['', 'List', 'Event', 'CreateInput', 'UpdateInput', 'Auth']) taken.add(typeName + suffix);
    return true;
  });
  const lookup = (id: string) => types.get(id);
  for (const c of included) types.set(c.id, buildCollectionTypes(c, typeNameOf(c), included, lookup));
  const query: Fields = {};
  const mutation: Fields = {};
  const subscription: Fields = {};
  const rootCollections = new Map<string, string>();
  for (const t of types.values()) {
    const fields = queryFields(t);
    Object.assign(query, fields);
    for (const name of Object.keys(fields)) rootCollections.set(name, t.collection.id);
    Object.assign(mutation, mutationFields(t));
    Object.assign(subscription, subscriptionFields(t));
  }
  if ([...types.values()].some((t) => t.auth)) mutation.auth_refresh = authRefreshField;
  const root = (name: string, fields: Fields) =>
    Object.keys(fields).length > 0 ? new GraphQLObjectType({ name, fields }) : undefined;
  const schema = new GraphQLSchema({
    query: root('Query', query) ?? new GraphQLObjectType({ name: 'Query', fields: {} }),
    mutation: root('Mutation', mutation),
    subscription: root('Subscription', subscription),
  });
  return { schema, rootCollections };
}
