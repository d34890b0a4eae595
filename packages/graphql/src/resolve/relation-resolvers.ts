import type { GraphQLFieldResolver } from 'graphql';
import type { RecordJson } from '@tandem/core';
import type { GraphqlContext } from './graphql-context.js';
import { relationIds } from './record-resolvers.js';

type Resolver = GraphQLFieldResolver<RecordJson, GraphqlContext>;

/**
 * A relation field: the related record (or records, when maxSelect > 1) the caller may
 * view, read in one batch per level. A hidden relation field is absent from a
 * non-superuser's record JSON and so resolves to nothing.
 */
export function relationResolver(field: string, target: string, many: boolean): Resolver {
  return async (record, _args, context) => {
    const ids = relationIds(record, field);
    if (many) return context.loaders.viewable(target, ids);
    return ids[0] === undefined ? null : context.loaders.one(target, ids[0]);
  };
}

/** `<collection>_via_<field>`: the records of `owner` whose `field` points at this record and that the caller may view. */
export function backRelationResolver(owner: string, field: string): Resolver {
  return (record, _args, context) => context.loaders.referencing(owner, field, record.id);
}
