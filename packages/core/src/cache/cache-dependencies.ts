import { parseFilter } from '../filter/filter-cache.js';
import type { FilterNode, FilterOperand } from '../filter/filter-ast.js';
import { LruCache } from '../filter/filter-cache.js';
import type { Collection, Rule } from '../schema/collection.js';
import type { SchemaView } from '../schema/schema-view.js';

/** What an answer's cache key must know about one rule or filter expression. */
export interface ExpressionFacts {
  /** Its result may change without any write: `@now` and other datetime macros, `@request.*` other than `auth`. */
  readonly volatile: boolean;
  /** It reads `@request.auth.*`: the answer depends on who asks. */
  readonly readsAuth: boolean;
  /** It follows `@request.auth.<relation>.…` into other collections. */
  readonly authTraverses: boolean;
  /** It reaches other records: a field path with more than one step (relations, or JSON keys), or `@collection.*`. */
  readonly traverses: boolean;
  /** Collections named by `@collection.<name>`. */
  readonly collections: readonly string[];
}

const OPEN: ExpressionFacts = Object.freeze({
  volatile: false,
  readsAuth: false,
  authTraverses: false,
  traverses: false,
  collections: [],
});
const facts = new LruCache<string, ExpressionFacts>(512);

/**
 * The facts of a filter or rule expression (`""` is open; null, superusers only, has
 * nothing to read either). Throws what `parseFilter` throws for invalid text; callers
 * then do not cache and let the action report the error.
 */
export function expressionFacts(text: Rule | undefined): ExpressionFacts {
  if (text === null || text === undefined || text.trim() === '') return OPEN;
  let found = facts.get(text);
  if (!found) facts.set(text, (found = factsOf(parseFilter(text))));
  return found;
}

function factsOf(node: FilterNode): ExpressionFacts {
  const state = {
    volatile: false,
    readsAuth: false,
    authTraverses: false,
    traverses: false,
    collections: [] as string[],
  };
  const visit = (n: FilterNode): void => {
    if (n.type !== 'comparison') return n.items.forEach(visit);
    operand(n.left, state);
    operand(n.right, state);
  };
  visit(node);
  return Object.freeze({ ...state, collections: Object.freeze(state.collections) });
}

function operand(
  o: FilterOperand,
  state: { volatile: boolean; readsAuth: boolean; authTraverses: boolean; traverses: boolean; collections: string[] },
): void {
  if (o.type === 'function') for (const arg of o.args) operand(arg, state);
  else if (o.type === 'datetime') state.volatile = true;
  else if (o.type === 'field' && (o.path.length > 1 || o.path.some((step) => step.includes('_via_'))))
    state.traverses = true;
  else if (o.type === 'collection') (state.traverses = true), state.collections.push(o.collection);
  else if (o.type === 'request' && o.scope !== 'auth') state.volatile = true;
  else if (o.type === 'request') {
    state.readsAuth = true;
    if (o.path.length > 1) state.authTraverses = true;
  }
}

/** True when a sort reaches other records (`author.name`, `x_via_y`) or is random. */
export function sortTraverses(text: string): boolean {
  return text.includes('.') || text.includes('_via_') || text.includes('@');
}

/** The collections an answer about some records of a collection may read, and what their rules say. */
export interface Reach {
  /** Ids of the collection and of every collection reachable from it (see `reachOf`). */
  readonly ids: readonly string[];
  /** Some list or view rule among them is volatile (their view rules apply to expanded records). */
  readonly volatile: boolean;
  /** Every list and view rule among them is `""`. */
  readonly allOpen: boolean;
  /** Some rule among them reads `@request.auth.<relation>.…`. */
  readonly authTraverses: boolean;
  /** Some of them is an auth collection (its JSON depends on who asks: email visibility). */
  readonly hasAuth: boolean;
  /** Some of them has caching switched off. */
  readonly cacheOff: boolean;
}

/**
 * Everything reachable from `start`, conservatively: relation targets, collections whose
 * relations point back (`_via_`), and collections named by `@collection.*` in list and view
 * rules, transitively. Expand, relation paths in filters and sorts, and the rules of what
 * they reach can only read these.
 */
export function reachOf(schema: SchemaView, start: readonly Collection[]): Reach {
  const seen = new Map<string, Collection>();
  const queue = [...start];
  const all = schema.all();
  for (let c = queue.pop(); c; c = queue.pop()) {
    if (seen.has(c.id)) continue;
    seen.set(c.id, c);
    queue.push(...neighbours(schema, all, c));
  }
  const found = [...seen.values()];
  const rules = found.flatMap((c) => [c.listRule, c.viewRule]).map(safeFacts);
  return {
    ids: found.map((c) => c.id).sort(),
    volatile: rules.some((f) => f === undefined || f.volatile),
    allOpen: found.every((c) => isOpen(c.listRule) && isOpen(c.viewRule)),
    authTraverses: rules.some((f) => f === undefined || f.authTraverses),
    hasAuth: found.some((c) => c.type === 'auth'),
    cacheOff: found.some((c) => c.cache === false),
  };
}

function neighbours(schema: SchemaView, all: readonly Collection[], c: Collection): Collection[] {
  const out: Collection[] = [];
  for (const field of c.fields)
    if (field.type === 'relation' && field.collectionId) push(out, schema.find(field.collectionId));
  for (const other of all)
    if (other.fields.some((f) => f.type === 'relation' && f.collectionId === c.id)) out.push(other);
  for (const rule of [c.listRule, c.viewRule])
    for (const name of safeFacts(rule)?.collections ?? []) push(out, schema.find(name));
  return out;
}

function push(out: Collection[], c: Collection | undefined): void {
  if (c) out.push(c);
}

/** A stored rule that does not parse is treated as volatile (never cached). */
function safeFacts(rule: Rule): ExpressionFacts | undefined {
  try {
    return expressionFacts(rule);
  } catch {
    return undefined;
  }
}

/** True for a rule anyone passes (`""`). */
export function isOpen(rule: Rule | undefined): boolean {
  return typeof rule === 'string' && rule.trim() === '';
}
