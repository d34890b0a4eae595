import type { AppError } from '../errors/app-error.js';
import type { Collection, FieldDef } from '../schema/collection.js';
import { columnKindOf, isMultiValued } from '../schema/field-storage.js';
import type { SchemaView } from '../schema/schema-view.js';
import type { JsonStep } from '../store/filter-sql-dialect.js';
import { quoteForMessage } from './filter-error.js';

/** Most relation hops one path may take (PocketBase's limit). */
export const MAX_RELATION_HOPS = 6;

/**
 * A relation step into a collection whose list rule is not open, taken by a caller who is
 * neither a superuser nor a rule: only the rows that rule lets the caller list may be
 * read, every other row counts as missing (PocketBase joins the list rule in the same
 * way). Without this a filter such as `note.secret ~ "a%"` is an oracle for the hidden
 * value. The rule itself is the target's, compiled for the same request.
 */
export interface ListGuard {
  readonly listRule: string;
}

/** One relation step of a path; every hop names the column it reads. */
export type PathHop =
  /** A single relation: at most one target row. */
  | { readonly type: 'single'; readonly column: string; readonly target: Collection; readonly guard?: ListGuard }
  /** A multi relation: one target row per listed id (a dangling id gives a missing row). */
  | { readonly type: 'multi'; readonly column: string; readonly target: Collection; readonly guard?: ListGuard }
  /** `<source>_via_<column>`: the rows of `source` whose relation column holds this row's id. */
  | {
      readonly type: 'back';
      readonly source: Collection;
      readonly column: string;
      readonly multiColumn: boolean;
      readonly guard?: ListGuard;
    }
  /**
   * The rows of `target` with these ids, whatever the current row: the auth record
   * (`@request.auth.<relation>…`, one id) or the records a submitted relation names
   * (`@request.body.<relation>.<field>`). `many` for a multi relation: one row per id.
   */
  | { readonly type: 'fixed'; readonly target: Collection; readonly ids: readonly string[]; readonly many: boolean }
  /** Every row of `target`, whatever the current row (`@collection.<name>…` with a plain operator). */
  | { readonly type: 'scan'; readonly target: Collection };

export type { JsonStep };

/** What a path ends on, in the last row its hops reach. */
export type PathTerminal =
  | {
      readonly type: 'column';
      readonly column: string;
      readonly kind: 'text' | 'number' | 'bool';
      readonly guard?: EmailGuard;
    }
  /** A multi select or multi relation column: its items, as text. */
  | { readonly type: 'list'; readonly column: string }
  | { readonly type: 'json'; readonly column: string; readonly steps: readonly JsonStep[] };

/**
 * The `email` of an auth collection as a caller without hidden-field access sees it: the
 * value where `emailVisibility` is true or the row is the caller's own record
 * (`ownerId`, null when the caller is not a record of that collection), "" elsewhere.
 */
export interface EmailGuard {
  readonly ownerId: string | null;
}

/** Who is asking, for email visibility: the authenticated record, or null for a guest. */
export interface PathViewer {
  readonly id: string;
  readonly collectionId: string;
}

/** A field path resolved against the schema. `multi` when it can yield several items. */
export interface ResolvedPath {
  readonly raw: string;
  readonly hops: readonly PathHop[];
  readonly terminal: PathTerminal;
  readonly multi: boolean;
}

/** What path resolution needs, with the error to throw (FILTER_INVALID or SORT_INVALID). */
export interface PathOptions {
  readonly schema: SchemaView;
  readonly collection: Collection;
  /**
   * When false (callers other than superusers and rules): hidden fields and auth secrets
   * are unknown, collections with a null listRule cannot be entered through relations,
   * relation steps into other collections carry their list rule (see ListGuard), and
   * auth emails are guarded (see EmailGuard).
   */
  readonly allowHidden: boolean;
  /** The caller, for email visibility; a guest when missing. */
  readonly viewer?: PathViewer | null;
  readonly fail: (what: string) => AppError;
}

/** Fields of auth collections that hold secrets: never reachable without hidden access. */
const AUTH_SECRETS = new Set(['password', 'tokenKey']);

const INDEX_STEP = /^(0|[1-9][0-9]{0,8})$/;

/**
 * Resolves `author.name`, `tags`, `comments_via_post.body` or `data.a.0` against the
 * schema. Unknown and hidden fields (when hidden ones are not allowed) get the same
 * message, so an error never tells whether a hidden field exists.
 */
export function resolvePath(segments: readonly string[], options: PathOptions): ResolvedPath {
  const raw = segments.join('.');
  const hops: PathHop[] = [];
  let collection = options.collection;
  for (let i = 0; i < segments.length; i += 1) {
    const segment = segments[i]!;
    const last = i === segments.length - 1;
    const field = lookupField(collection, segment, raw, options);
    if (!field) {
      const hop = backRelationHop(collection, segment, raw, options);
      assertListable(hop.source, segment, raw, options);
      hops.push(withGuard(hop, hop.source, options));
      collection = hop.source;
      if (last) return finish(raw, hops, { type: 'column', column: 'id', kind: 'text' }, options);
      continue;
    }
    // A geoPoint is a JSON object: `place.lon` reads into it as into a json field, as PocketBase does.
    if (field.type === 'json' || field.type === 'geoPoint')
      return finish(raw, hops, jsonTerminal(field, segments.slice(i + 1)), options);
    if (last) return finish(raw, hops, plainTerminal(collection, field, options), options);
    if (field.type !== 'relation')
      throw options.fail(
        `${quoteForMessage(raw)} cannot read ${quoteForMessage(segments[i + 1]!)} of the ${field.type} field ${quoteForMessage(segment)}`,
      );
    const target = relationTarget(field, raw, options);
    assertListable(target, segments[i + 1]!, raw, options);
    hops.push(
      withGuard({ type: isMultiValued(field) ? 'multi' : 'single', column: field.name, target }, target, options),
    );
    collection = target;
  }
  throw options.fail(`empty field path`);
}

function lookupField(collection: Collection, name: string, raw: string, options: PathOptions): FieldDef | undefined {
  const field = collection.fields.find((f) => f.name === name);
  if (field && isHiddenField(collection, field) && !options.allowHidden) throw unknownField(name, raw, options);
  if (!field && name === 'id')
    return { id: 'id', name: 'id', type: 'text', system: true, hidden: false, presentable: false, required: true };
  return field;
}

/**
 * True for fields only superusers and rules may filter, sort or expand by: hidden fields,
 * password fields, and the password and tokenKey of auth collections whatever their flag.
 */
export function isHiddenField(collection: Collection, field: FieldDef): boolean {
  return field.hidden || field.type === 'password' || (collection.type === 'auth' && AUTH_SECRETS.has(field.name));
}

/**
 * PocketBase v0.32+: a caller without hidden access cannot enter a collection whose list
 * rule is null through a relation; its fields answer like unknown ones.
 */
function assertListable(target: Collection, next: string, raw: string, options: PathOptions): void {
  if (!options.allowHidden && target.listRule === null) throw unknownField(next, raw, options);
}

/** The hop, guarded by the list rule of the collection it enters when the caller needs that. */
function withGuard<H extends PathHop>(hop: H, entered: Collection, options: PathOptions): H {
  const rule = entered.listRule;
  if (options.allowHidden || rule === null || rule.trim() === '') return hop;
  return { ...hop, guard: { listRule: rule } };
}

/** True when some hop of the path may read only the rows a list rule lets through. */
export function isGuardedPath(path: ResolvedPath): boolean {
  return path.hops.some((hop) => 'guard' in hop && hop.guard !== undefined);
}

function unknownField(name: string, raw: string, options: PathOptions): AppError {
  return options.fail(`unknown field ${quoteForMessage(name)} in ${quoteForMessage(raw)}`);
}

function plainTerminal(collection: Collection, field: FieldDef, options: PathOptions): PathTerminal {
  const kind = columnKindOf(field);
  if (kind === 'list') return { type: 'list', column: field.name };
  const terminal = { type: 'column', column: field.name, kind: kind === 'json' ? 'text' : kind } as const;
  if (options.allowHidden || collection.type !== 'auth' || field.name !== 'email') return terminal;
  const viewer = options.viewer;
  return { ...terminal, guard: { ownerId: viewer && viewer.collectionId === collection.id ? viewer.id : null } };
}

function jsonTerminal(field: FieldDef, rest: readonly string[]): PathTerminal {
  const steps = rest.map((s): JsonStep => (INDEX_STEP.test(s) ? { index: Number(s) } : { key: s }));
  return { type: 'json', column: field.name, steps };
}

function relationTarget(field: FieldDef, raw: string, options: PathOptions): Collection {
  const target = field.collectionId ? options.schema.find(field.collectionId) : undefined;
  if (!target)
    throw options.fail(
      `the relation field ${quoteForMessage(field.name)} in ${quoteForMessage(raw)} points to a missing collection`,
    );
  return target;
}

/** `<collection>_via_<field>`; tries every `_via_` split, since names may contain it. */
function backRelationHop(
  collection: Collection,
  segment: string,
  raw: string,
  options: PathOptions,
): PathHop & { type: 'back' } {
  for (let at = segment.indexOf('_via_'); at > 0; at = segment.indexOf('_via_', at + 1)) {
    const source = options.schema.find(segment.slice(0, at));
    const field = source?.fields.find((f) => f.name === segment.slice(at + 5));
    if (!source || !field || field.type !== 'relation' || field.collectionId !== collection.id) continue;
    if (isHiddenField(source, field) && !options.allowHidden) continue;
    return { type: 'back', source, column: field.name, multiColumn: isMultiValued(field) };
  }
  throw unknownField(segment, raw, options);
}

function finish(raw: string, hops: PathHop[], terminal: PathTerminal, options: PathOptions): ResolvedPath {
  if (hops.length > MAX_RELATION_HOPS)
    throw options.fail(`${quoteForMessage(raw)} follows more than ${MAX_RELATION_HOPS} relations`);
  return { raw, hops, terminal, multi: isMultiPath(hops, terminal) };
}

function isMultiPath(hops: readonly PathHop[], terminal: PathTerminal): boolean {
  return (
    terminal.type === 'list' ||
    hops.some((h) => h.type === 'multi' || h.type === 'back' || h.type === 'scan' || (h.type === 'fixed' && h.many))
  );
}

/** The path read from another row first: a `fixed` row (by id) or every row (`scan`) of a collection. */
export function withRootHop(path: ResolvedPath, hop: PathHop & { type: 'fixed' | 'scan' }): ResolvedPath {
  const hops = [hop, ...path.hops];
  return { ...path, hops, multi: isMultiPath(hops, path.terminal) };
}
