import type { GraphQLFieldResolver, GraphQLResolveInfo } from 'graphql';
import { isAppError, type RecordJson } from '@tandem/core';
import type { GraphqlContext } from './graphql-context.js';

type Args = Record<string, unknown>;
type Resolver = GraphQLFieldResolver<unknown, GraphqlContext, Args>;

/**
 * `posts(filter, sort, page, perPage, skipTotal)`: `records.list`, as REST runs it. When the
 * query asks for neither `totalItems` nor `totalPages` the count is skipped: one statement.
 */
export function listResolver(collection: string): Resolver {
  return async (_source, args, context, info) => {
    const query: Record<string, string> = {};
    for (const name of ['filter', 'sort', 'page', 'perPage'] as const)
      if (args[name] !== undefined && args[name] !== null) query[name] = String(args[name]);
    if (args.skipTotal === true || !asksForTotals(info)) query.skipTotal = 'true';
    const result = await context.actions.dispatch('records.list', { params: { collection }, query }, context.request);
    return result.body;
  };
}

/** `posts_by_id(id)`: `records.view`; a missing record or one the view rule hides is null, as REST's 404 hides it. */
export function viewResolver(collection: string): Resolver {
  return async (_source, args, context) => {
    try {
      const input = { params: { collection, id: String(args.id) }, query: {} };
      return (await context.actions.dispatch('records.view', input, context.request)).body;
    } catch (error) {
      if (isAppError(error) && error.code === 'RECORD_NOT_FOUND') return null;
      throw error;
    }
  };
}

/** `create_posts(data)`: `records.create`. */
export function createResolver(collection: string): Resolver {
  return (_source, args, context) =>
    write(context, 'records.create', { collection }, args.data).then((result) => result.body);
}

/** `update_posts(id, data)`: `records.update` (PATCH semantics: only the fields sent change). */
export function updateResolver(collection: string): Resolver {
  return (_source, args, context) =>
    write(context, 'records.update', { collection, id: String(args.id) }, args.data).then((result) => result.body);
}

/** `delete_posts(id)`: `records.delete`; true when it was deleted (a refusal is an error, as over REST). */
export function deleteResolver(collection: string): Resolver {
  return (_source, args, context) =>
    write(context, 'records.delete', { collection, id: String(args.id) }, undefined).then(() => true);
}

async function write(context: GraphqlContext, action: string, params: Record<string, string>, data: unknown) {
  try {
    return await context.actions.dispatch(action, { params, query: {}, body: toPlain(data) }, context.request);
  } finally {
    context.loaders.clear();
  }
}

/** graphql-js builds input objects without a prototype; core's body checks expect plain JSON objects. */
export function toPlain(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(toPlain);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toPlain(v)]));
}

function asksForTotals(info: GraphQLResolveInfo): boolean {
  const names = new Set<string>();
  const visit = (selections: GraphQLResolveInfo['fieldNodes'][number]['selectionSet']) => {
    for (const s of selections?.selections ?? []) {
      if (s.kind === 'Field') names.add(s.name.value);
      else if (s.kind === 'InlineFragment') visit(s.selectionSet);
      else visit(info.fragments[s.name.value]?.selectionSet);
    }
  };
  for (const node of info.fieldNodes) visit(node.selectionSet);
  return names.has('totalItems') || names.has('totalPages');
}

/** A record's relation value as ids. */
export function relationIds(record: RecordJson, field: string): string[] {
  const value = record[field];
  if (Array.isArray(value)) return value.filter((v): v is string => typeof v === 'string' && v !== '');
  return typeof value === 'string' && value !== '' ? [value] : [];
}
