import type { Principal } from '../schema/principal.js';
import type { Collection, Rule } from '../schema/collection.js';
import type { SchemaView } from '../schema/schema-view.js';
import {
  expressionFacts,
  isOpen,
  reachOf,
  sortTraverses,
  type ExpressionFacts,
  type Reach,
} from './cache-dependencies.js';
import type { CollectionGenerations } from './collection-generations.js';

/** Where a cacheable answer goes: its key, and whether everyone may share it. */
export interface CacheDecision {
  readonly key: string;
  /** True when the answer is the same for every caller (scope `public`). */
  readonly shared: boolean;
}

/** The query parameters of a request, as the transport parsed them. */
export type CacheQuery = Readonly<Record<string, unknown>>;

const LIST_PARAMS = ['page', 'perPage', 'sort', 'filter', 'expand', 'skipTotal', 'fields'] as const;
const SEP = '\u0000';
const PART = '\u0001';

/**
 * The decision of the same answer in XML (docs/api.md#xml): its own key, so that an
 * entry of one representation is never sent for the other. NB: every other key starts
 * with a route letter other than `x` and SEP, so the two sets of keys cannot meet.
 */
export function xmlCacheDecision(decision: CacheDecision): CacheDecision {
  return { key: `x${SEP}${decision.key}`, shared: decision.shared };
}

/**
 * Builds the cache keys of record list and view answers, or says "do not cache". A key
 * holds the route, the parameters that change the answer (in a fixed order; others are
 * ignored), the principal's scope, and the generation of every collection the answer
 * may read: the collection itself, and — when `expand`, a relation path in the filter,
 * sort or rule, or `@collection` is involved — everything `reachOf` finds. Answers that
 * depend on the clock or on request values other than the principal are not cached.
 * @example const decision = keys.forView('posts', id, request.query, principal); // undefined: bypass
 */
export class RecordCacheKeys {
  readonly #schema: SchemaView;
  readonly #generations: CollectionGenerations;
  #reaches = new Map<string, Reach>();
  #reachEpoch = '';

  constructor(schema: SchemaView, generations: CollectionGenerations) {
    this.#schema = schema;
    this.#generations = generations;
  }

  /** The key of `GET …/records/:id`, or undefined when the answer must not be cached. */
  forView(collectionIdOrName: string, id: string, query: CacheQuery, principal: Principal): CacheDecision | undefined {
    const collection = this.#schema.find(collectionIdOrName);
    const expand = textParam(query.expand);
    const fields = textParam(query.fields);
    if (!collection || expand === null || fields === null) return undefined;
    const params = `${id}${PART}${expand ?? ''}${PART}${fields ?? ''}`;
    return this.#decide(
      'v',
      collection,
      collection.viewRule,
      { filter: undefined, sort: '', expand },
      params,
      principal,
    );
  }

  /** The key of `GET …/records`, or undefined when the answer must not be cached. */
  forList(collectionIdOrName: string, query: CacheQuery, principal: Principal): CacheDecision | undefined {
    const collection = this.#schema.find(collectionIdOrName);
    if (!collection) return undefined;
    let params = '';
    for (const name of LIST_PARAMS) {
      const value = textParam(query[name]);
      if (value === null) return undefined;
      params += `${value ?? ''}${PART}`;
    }
    const parts = {
      filter: textParam(query.filter) ?? undefined,
      sort: textParam(query.sort) ?? '',
      expand: textParam(query.expand) ?? undefined,
    };
    return this.#decide('l', collection, collection.listRule, parts, params, principal);
  }

  /**
   * The key of a query over several collections at once (a GraphQL query sent by GET), or
   * undefined when it must not be cached. `params` is the query's own text (document,
   * variables, operation); `collections` the collections its fields name, `filters` the
   * filter texts it passes. The key carries the generation of everything reachable from
   * those collections, and the caller's own scope (never shared).
   */
  forQuery(
    params: string,
    collections: readonly string[],
    filters: readonly string[],
    principal: Principal,
  ): CacheDecision | undefined {
    if (collections.length === 0) return undefined;
    const facts = filters.map((filter) => factsOrUndefined('', filter));
    if (facts.some((f) => f === undefined || f.volatile)) return undefined;
    const named = facts.flatMap((f) => f!.collections);
    const reach = this.#reach([...new Set([...collections, ...named])].sort());
    const superuser = principal.kind === 'superuser';
    if (reach.cacheOff || (!superuser && reach.volatile)) return undefined;
    let ids = reach.ids;
    if (principal.kind === 'record') ids = [...ids, ...this.#reach([principal.collection.id]).ids];
    let key = `q${SEP}${params}${SEP}${scopeOf(principal, false)}${SEP}${this.#generations.stamp}`;
    for (const id of ids) key += `${SEP}${id}=${this.#generations.of(id)}`;
    return { key, shared: false };
  }

  #decide(
    route: string,
    collection: Collection,
    rule: Rule,
    parts: { filter: string | undefined; sort: string; expand: string | undefined },
    params: string,
    principal: Principal,
  ): CacheDecision | undefined {
    if (collection.cache === false) return undefined;
    const superuser = principal.kind === 'superuser';
    if (rule === null && !superuser) return undefined; // a 403, never cached
    const facts = factsOrUndefined(superuser ? null : rule, parts.filter);
    if (!facts || facts.volatile) return undefined;
    const wide = Boolean(parts.expand) || facts.traverses || sortTraverses(parts.sort);
    const reach = wide ? this.#reach([collection.id, ...facts.collections]) : undefined;
    if (reach && (reach.cacheOff || (!superuser && reach.volatile))) return undefined;
    const shared =
      !superuser &&
      !facts.readsAuth &&
      isOpen(rule) &&
      collection.type !== 'auth' &&
      (!reach || (reach.allOpen && !reach.hasAuth));
    let ids = reach ? reach.ids : [collection.id];
    if (principal.kind === 'record' && !shared) {
      // Rules read the principal's own record (`@request.auth.*`): its changes count too.
      const own =
        facts.authTraverses || reach?.authTraverses
          ? this.#reach([principal.collection.id]).ids
          : [principal.collection.id];
      ids = [...ids, ...own];
    }
    let key = `${route}${SEP}${collection.id}${SEP}${params}${SEP}${scopeOf(principal, shared)}${SEP}${this.#generations.stamp}`;
    for (const id of ids) key += `${SEP}${id}=${this.#generations.of(id)}`;
    return { key, shared };
  }

  /** The reach of some collections (ids or names), computed once per schema generation. */
  #reach(start: readonly string[]): Reach {
    if (this.#reachEpoch !== this.#generations.definitions) {
      this.#reaches = new Map();
      this.#reachEpoch = this.#generations.definitions;
    }
    const memo = start.join(SEP);
    let reach = this.#reaches.get(memo);
    if (!reach) {
      const found = start.map((s) => this.#schema.find(s));
      // A `@collection` name that names nothing: the filter will fail; never cache.
      reach = found.every((c) => c !== undefined)
        ? reachOf(this.#schema, found)
        : { ids: [], volatile: true, allOpen: false, authTraverses: true, hasAuth: true, cacheOff: true };
      this.#reaches.set(memo, reach);
    }
    return reach;
  }
}

/** The rule's and the filter's facts together; undefined when either does not parse. */
function factsOrUndefined(rule: Rule, filter: string | undefined): ExpressionFacts | undefined {
  try {
    const a = expressionFacts(rule);
    const b = expressionFacts(filter);
    if (b === a || !filter) return a;
    return {
      volatile: a.volatile || b.volatile,
      readsAuth: a.readsAuth || b.readsAuth,
      authTraverses: a.authTraverses || b.authTraverses,
      traverses: a.traverses || b.traverses,
      collections: [...a.collections, ...b.collections],
    };
  } catch {
    return undefined;
  }
}

function scopeOf(principal: Principal, shared: boolean): string {
  if (shared) return 'public';
  if (principal.kind === 'guest') return 'guest';
  if (principal.kind === 'superuser') return `superuser:${principal.id}`;
  return `record:${principal.collection.id}:${principal.record.id}`;
}

/** A query parameter as text: undefined when absent, null when repeated or not text (never cached). */
function textParam(value: unknown): string | undefined | null {
  if (value === undefined) return undefined;
  return typeof value === 'string' ? value : null;
}
