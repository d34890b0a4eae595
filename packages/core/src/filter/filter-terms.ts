/**
 * Operand resolution for the planner: field paths, `@request.*` values (constants, or
 * paths through the auth record), `@collection.*` paths and `:changed`.
 */
import type { Collection } from '../schema/collection.js';
import { columnKindOf, isMultiValued } from '../schema/field-storage.js';
import type { CollectionOperand, FilterComparison, Modifier, RequestOperand } from './filter-ast.js';
import type { FilterScope } from './filter-context.js';
import { filterError, quoteForMessage } from './filter-error.js';
import { MAX_REQUEST_ITEMS, requestConsts, type ConstTerm } from './filter-macros.js';
import { resolvePath, withRootHop, type PathOptions, type ResolvedPath } from './filter-path.js';
import { isCleanText } from '../text/code-points.js';
import type { DistanceTerm } from './filter-distance.js';
import { nullConst, type ValueKind } from './filter-values.js';

/** Where a `@collection` path reads its rows; `key` names the shared row of its alias. */
export interface CollectionRoot {
  readonly key: string;
  readonly target: Collection;
}

/** A field path operand with its modifier; `kind` is the kind of value it yields. */
export interface PathTerm {
  readonly type: 'path';
  readonly path: ResolvedPath;
  readonly modifier: 'none' | 'lower' | 'length';
  readonly kind: ValueKind;
  /** Set for `@collection` operands: `path` starts at a row of that collection. */
  readonly collection?: CollectionRoot;
}

/** `<field> = @request.body.<field>` as the test of "unchanged", for a list field a JSON comparison. */
export type SameTest<Plan> =
  | Plan
  | boolean
  | { readonly type: 'list'; readonly column: string; readonly items: readonly string[] };

/** `@request.body.<field>:changed` when the field was submitted: true when `same` is false. */
export interface ChangedTerm<Plan> {
  readonly type: 'changed';
  readonly kind: 'bool';
  readonly raw: string;
  readonly same: SameTest<Plan>;
}

/** A resolved operand. */
export type Term<Plan> = PathTerm | ChangedTerm<Plan> | DistanceTerm | ({ readonly type: 'const' } & ConstTerm);

type Planner<Plan> = (node: FilterComparison) => Plan | boolean;

/** The path options of a scope: hidden fields per the scope, email visibility per the caller. */
export function pathOptionsOf(scope: FilterScope, position: number): PathOptions {
  const auth = scope.request.auth;
  return {
    schema: scope.schema,
    collection: scope.collection,
    allowHidden: scope.allowHidden,
    viewer: auth && auth.id !== '' ? { id: auth.id, collectionId: auth.collectionId } : null,
    fail: (what) => filterError(what, position),
  };
}

/** Applies a modifier to a resolved path; throws FILTER_INVALID for modifiers that do not fit. */
export function pathTerm(
  operand: { readonly modifier: Modifier | null; readonly raw: string; readonly position: number },
  path: ResolvedPath,
): PathTerm {
  const fail = (what: string) => filterError(what, operand.position);
  const kind: ValueKind =
    path.terminal.type === 'json' ? 'json' : path.terminal.type === 'list' ? 'text' : path.terminal.kind;
  const name = quoteForMessage(operand.raw);
  switch (operand.modifier) {
    case null:
      return { type: 'path', path, modifier: 'none', kind };
    case 'each':
      if (path.terminal.type !== 'list') throw fail(`:each needs a multi select or multi relation field, not ${name}`);
      return { type: 'path', path, modifier: 'none', kind };
    case 'lower':
      if (kind !== 'text' && kind !== 'json') throw fail(`:lower needs a text or json field, not ${name}`);
      return { type: 'path', path, modifier: 'lower', kind };
    default:
      if (path.multi === (path.terminal.type === 'json'))
        throw fail(`:length needs a multi-valued field or a json field, not ${name}`);
      return { type: 'path', path, modifier: 'length', kind: 'number' };
  }
}

/** `@collection.<nameOrId>[:alias].<path>`: hidden fields allowed (only rules and superusers get here). */
export function collectionTerm(operand: CollectionOperand, scope: FilterScope): PathTerm {
  const target = scope.schema.find(operand.collection);
  const name = quoteForMessage(operand.raw);
  if (!target)
    throw filterError(`unknown collection ${quoteForMessage(operand.collection)} in ${name}`, operand.position);
  if (operand.modifier === 'length')
    throw filterError(`:length is not supported on @collection paths such as ${name}`, operand.position);
  const path = resolvePath(operand.path, {
    schema: scope.schema,
    collection: target,
    allowHidden: true,
    fail: (what) => filterError(what, operand.position),
  });
  return { ...pathTerm(operand, path), collection: { key: JSON.stringify([target.id, operand.alias]), target } };
}

/** `@request.*`: a constant, a path through the auth record, or a `:changed` test. */
export function requestTerm<Plan>(operand: RequestOperand, scope: FilterScope, plan: Planner<Plan>): Term<Plan> {
  if (operand.modifier === 'changed') return changedTerm(operand, scope, plan);
  const authPath = operand.scope === 'auth' ? authRecordPath(operand, scope) : undefined;
  if (authPath === null) return { type: 'const', values: [nullConst()], multi: false };
  if (authPath) return pathTerm(operand, authPath);
  const bodyPath = operand.scope === 'body' ? submittedRelationPath(operand, scope) : undefined;
  if (bodyPath) return pathTerm(operand, bodyPath);
  return { type: 'const', ...requestConsts(operand, scope.request) };
}

/**
 * `@request.auth.<relation>.<…>` and auth fields the request's record object lacks
 * (hidden ones) are read from the auth record's row, like PocketBase's join on the auth
 * collection. Undefined: read the record object; null: a path that does not resolve for
 * this auth collection, which is null like every missing `@request` value.
 */
function authRecordPath(operand: RequestOperand, scope: FilterScope): ResolvedPath | null | undefined {
  const auth = scope.request.auth;
  const collection = auth ? scope.schema.find(auth.collectionId) : undefined;
  const [first, ...rest] = operand.path;
  const field = collection?.fields.find((f) => f.name === first);
  if (!auth || !collection || !field) return undefined;
  const throughRelation = field.type === 'relation' && rest.length > 0;
  if (!throughRelation && Object.hasOwn(auth, first!)) return undefined;
  try {
    const path = resolvePath(operand.path, {
      schema: scope.schema,
      collection,
      allowHidden: true,
      fail: (what) => filterError(what),
    });
    return withRootHop(path, { type: 'fixed', target: collection, ids: [auth.id], many: false });
  } catch {
    return null;
  }
}

/**
 * `@request.body.<relation>.<…>`: the records the submitted relation value names, read
 * like `@request.auth.<relation>…` from their rows (PocketBase resolves it the same way).
 * Only rules and superusers get here: a client's filter may not use `@request.*` (403),
 * so only a collection's own rule can read a related record's fields through the body,
 * exactly as it can through a stored relation (`trip.owner`). Undefined when the first
 * step is not a relation field of the collection followed by more steps: then the
 * operand is the submitted value itself.
 */
function submittedRelationPath(operand: RequestOperand, scope: FilterScope): ResolvedPath | undefined {
  const [first, ...rest] = operand.path;
  const field = scope.collection.fields.find((f) => f.name === first);
  if (field?.type !== 'relation' || rest.length === 0 || operand.modifier === 'isset') return undefined;
  const fail = (what: string) => filterError(what, operand.position);
  const target = field.collectionId ? scope.schema.find(field.collectionId) : undefined;
  if (!target) throw fail(`the relation field ${quoteForMessage(field.name)} points to a missing collection`);
  const path = resolvePath(rest, { schema: scope.schema, collection: target, allowHidden: scope.allowHidden, fail });
  const many = isMultiValued(field);
  const ids = submittedIds(scope.request.body[field.name], many, operand);
  return withRootHop({ ...path, raw: operand.raw }, { type: 'fixed', target, ids, many });
}

/** The ids a submitted relation value names; a single relation always reads one (maybe missing) row. */
function submittedIds(value: unknown, many: boolean, operand: RequestOperand): string[] {
  const text = (item: unknown) => (typeof item === 'string' ? item : '');
  if (!many) return [text(Array.isArray(value) ? value[value.length - 1] : value)];
  const items = (Array.isArray(value) ? value : value === undefined || value === null ? [] : [value]).map(text);
  if (items.length > MAX_REQUEST_ITEMS)
    throw filterError(`${quoteForMessage(operand.raw)} has more than ${MAX_REQUEST_ITEMS} items`, operand.position);
  return items.filter((id) => id !== '');
}

/** PocketBase v0.34: `@request.body.x:changed` ≡ `@request.body.x:isset && @request.body.x != x`. */
function changedTerm<Plan>(operand: RequestOperand, scope: FilterScope, plan: Planner<Plan>): Term<Plan> {
  const name = operand.path[0]!;
  const field = scope.collection.fields.find((f) => f.name === name);
  if (!field && name !== 'id')
    throw filterError(
      `:changed needs a field of ${quoteForMessage(scope.collection.name)}, not ${quoteForMessage(operand.raw)}`,
      operand.position,
    );
  if (!Object.hasOwn(scope.request.body, name)) return boolTerm(false);
  const value = scope.request.body[name];
  if (field && columnKindOf(field) === 'list') {
    const items = submittedList(value);
    return items
      ? { type: 'changed', kind: 'bool', raw: operand.raw, same: { type: 'list', column: name, items } }
      : boolTerm(true);
  }
  const { position } = operand;
  const same = plan({
    type: 'comparison',
    op: '=',
    any: false,
    position,
    left: { type: 'field', path: [name], modifier: null, raw: name, position },
    right: { type: 'request', scope: 'body', path: [name], modifier: null, raw: `@request.body.${name}`, position },
  });
  return typeof same === 'boolean' ? boolTerm(!same) : { type: 'changed', kind: 'bool', raw: operand.raw, same };
}

/** A submitted list value as stored: "" and null are empty, one text is one item; else null (unstorable). */
function submittedList(value: unknown): string[] | null {
  if (value === null || value === undefined || value === '') return [];
  const items = Array.isArray(value) ? value : [value];
  return items.every((item) => typeof item === 'string' && isCleanText(item)) ? (items as string[]) : null;
}

function boolTerm<Plan>(value: boolean): Term<Plan> {
  return { type: 'const', values: [{ kind: 'bool', value }], multi: false };
}
