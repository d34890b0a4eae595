import { join, raw, sql, type Sql } from '../sql/sql.js';
import type { SortContext } from './filter-context.js';
import { forbiddenMacroError, quoteForMessage, sortError } from './filter-error.js';
import { resolvePath, type ResolvedPath } from './filter-path.js';
import { listGuardCompiler } from './filter-compiler.js';
import { singlePathSql, type SqlPathState } from './filter-sql-source.js';

/** Most fields one sort may list (PocketBase's limit). */
export const MAX_SORT_FIELDS = 8;
/** Longest accepted sort field, in characters (PocketBase's limit). */
export const MAX_SORT_FIELD_LENGTH = 255;

const FIELD_PATH = /^[A-Za-z0-9_]+(\.[A-Za-z0-9_]+)*$/;

/**
 * Compiles a sort parameter (`-created,title,author.name,@random`) into an ORDER BY list
 * (without the keyword). `-` sorts descending, `+` or nothing ascending. Text sorts by
 * code point on both databases, NULLs (missing relations) first when ascending.
 * `@rowid` is SQLite's rowid and PostgreSQL's ctid (physical order, not stable across
 * updates). Blank text gives an empty fragment (check `isEmpty`). Throws SORT_INVALID,
 * or FILTER_FORBIDDEN_MACRO for `@request`/`@collection` without macro rights.
 * @example sql`SELECT * FROM "posts" AS "t" ORDER BY ${compileSort('-created,id', context)}`
 */
export function compileSort(text: string, context: SortContext): Sql {
  const fields = text
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '');
  if (fields.length === 0 && text.trim() !== '') throw sortError('no sort field given');
  if (fields.length > MAX_SORT_FIELDS) throw sortError(`more than ${MAX_SORT_FIELDS} sort fields`);
  let aliases = 0;
  const nextAlias = () => `__s${++aliases}`;
  const guardSql = listGuardCompiler(context, nextAlias);
  const state: SqlPathState = { dialect: context.dialect.filter, outer: context.tableAlias, nextAlias, guardSql };
  return join(fields.map((field) => sortItem(field, context, state)));
}

function sortItem(field: string, context: SortContext, state: SqlPathState): Sql {
  if (field.length > MAX_SORT_FIELD_LENGTH)
    throw sortError(`a sort field is longer than ${MAX_SORT_FIELD_LENGTH} characters`);
  const descending = field.startsWith('-');
  const name = /^[-+]/.test(field) ? field.slice(1) : field;
  const direction = raw(descending ? ' DESC NULLS LAST' : ' ASC NULLS FIRST');
  if (name.startsWith('@')) return sql`${macroKey(name, context, state)}${direction}`;
  if (!FIELD_PATH.test(name)) throw sortError(`invalid sort field ${quoteForMessage(name)}`);
  const auth = context.request.auth;
  const viewer = auth && auth.id !== '' ? { id: auth.id, collectionId: auth.collectionId } : null;
  const path = resolvePath(name.split('.'), { ...context, viewer, fail: sortError });
  return sql`${fieldKey(path, state)}${direction}`;
}

function macroKey(name: string, context: SortContext, state: SqlPathState): Sql {
  if (name === '@random') return state.dialect.random();
  if (name === '@rowid') {
    if (context.rowidKey) return context.rowidKey;
    // A view collection is a database view: its rows have no rowid of their own.
    if (context.collection.type === 'view') throw sortError(`a view collection has no ${quoteForMessage(name)}`);
    return state.dialect.rowid(context.tableAlias);
  }
  const forbidden = name.startsWith('@request')
    ? '@request'
    : name.startsWith('@collection')
      ? '@collection'
      : undefined;
  if (forbidden && !context.allowRequestMacros) throw forbiddenMacroError(forbidden);
  throw sortError(`cannot sort by ${quoteForMessage(name)}`);
}

function fieldKey(path: ResolvedPath, state: SqlPathState): Sql {
  const d = state.dialect;
  const { terminal } = path;
  if (path.multi && !(path.hops.length === 0 && terminal.type === 'list'))
    throw sortError(`cannot sort by the multi-valued ${quoteForMessage(path.raw)}`);
  const value = singlePathSql(path, state);
  if (terminal.type !== 'column') return d.orderJson(value);
  if (terminal.kind !== 'text') return value;
  return d.orderText(path.hops.length > 0 ? sql`COALESCE(${value}, '')` : value);
}
