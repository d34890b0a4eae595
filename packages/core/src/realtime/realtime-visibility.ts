import type { Principal, RecordData } from '../schema/principal.js';
import {
  createFilterPredicate,
  isFilterNeedsDatabaseError,
  parseFilter,
  type FilterNode,
  type FilterPredicate,
  type FilterRecordSource,
} from '../filter/index.js';
import type { Collection } from '../schema/collection.js';
import { ident, join, sql, type Sql } from '../sql/sql.js';
import type { Dialect } from '../store/dialect.js';
import { columnKindOf } from '../schema/field-storage.js';
import { RECORD_ALIAS, scopeFor, type RecordDeps } from '../records/record-deps.js';
import { andConditions, clientFilterCondition, requestInfo, ruleCondition } from '../records/record-rules.js';
import type { RequestContext } from '../records/request-context.js';
import type { Subscription } from './realtime-subscription.js';
import type { CascadeParent } from '../changes/change-log.js';

/**
 * Deleted records' values as rows with their table's columns, after the table's own rows
 * (`withTable`) or none of them. The SELECT from the real table comes first so that
 * PostgreSQL gives every value its column's type (UNION resolves untyped parameters to
 * the other branch's types).
 */
function deletedRows(
  dialect: Dialect,
  collection: Collection,
  records: readonly RecordData[],
  withTable: boolean,
): Sql {
  const columns = collection.fields.map((field) => ident(field.name));
  const rows = records.map(
    (record) =>
      sql` UNION ALL SELECT ${join(collection.fields.map((field) => sql`${dialect.toColumn(columnKindOf(field), record[field.name])}`))}`,
  );
  const table = sql`SELECT ${join(columns)} FROM ${ident(collection.name)}${withTable ? sql`` : sql` WHERE 1 = 0`}`;
  return sql`${table}${join(rows, '')}`;
}

/**
 * The rows relation paths read while deciding on a cascaded delete: each table with the
 * records the cascade deleted before this one put back, as they were before the delete.
 */
function tablesBeforeCascade(
  dialect: Dialect,
  cascadeFrom: readonly CascadeParent[],
): ((collection: Collection) => Sql) | undefined {
  if (cascadeFrom.length === 0) return undefined;
  const byCollection = new Map<string, RecordData[]>();
  for (const { collectionId, record } of cascadeFrom) {
    const records = byCollection.get(collectionId) ?? [];
    byCollection.set(collectionId, [...records, record]);
  }
  return (collection) => {
    const restored = byCollection.get(collection.id);
    if (!restored) return ident(collection.name);
    return sql`(${deletedRows(dialect, collection, restored, true)})`;
  };
}

/** Whether a subscriber may see a record: known in memory, or only the database can tell. */
export type Visibility = boolean | 'database';

/** Thrown by the evaluator's record source: the filter reaches other records (relations). */
class NeedsLookup extends Error {}

// Realtime evaluates against the event's record alone; a path into other records
// (relations, back-relations) makes the checker fall back to SQL.
const noLookups: FilterRecordSource = {
  getRecord() {
    throw new NeedsLookup();
  },
  listRecords() {
    throw new NeedsLookup();
  },
};

/** The request a subscription's rules and filter see: `@request.context = "realtime"`. */
export function subscriptionRequest(principal: Principal, subscription: Subscription): RequestContext {
  return { principal, method: 'GET', headers: subscription.headers, query: subscription.query, context: 'realtime' };
}

/**
 * Decides, per subscriber, whether a record passes the subscription's rule (list rule
 * for `*`, view rule for one id) and filter. Predicates are prepared once per
 * subscription, principal and collection definition, and rebuilt each second so that
 * datetime macros stay current.
 */
export class VisibilityChecker {
  readonly #deps: RecordDeps;
  #cache = new Map<string, { predicate: FilterPredicate | 'database'; builtAt: number }>();

  constructor(deps: RecordDeps) {
    this.#deps = deps;
  }

  /** Forgets every prepared predicate (the principal changed). */
  reset(): void {
    this.#cache.clear();
  }

  /** Visibility of one record state in memory; 'database' when only SQL can tell. */
  check(principal: Principal, subscription: Subscription, collection: Collection, record: RecordData): Visibility {
    const rule = this.#rule(principal, subscription, collection);
    if (rule === false) return false;
    const filter = subscription.filter
      ? this.#predicate(
          principal,
          subscription,
          collection,
          'filter',
          subscription.filter,
          principal.kind === 'superuser',
        )
      : true;
    const parts = [rule, filter];
    if (parts.includes('database')) return 'database';
    try {
      return parts.every((part) => part === true || (typeof part === 'function' && part(record)));
    } catch (error) {
      if (error instanceof NeedsLookup) return 'database';
      throw error;
    }
  }

  /** The database's answer for the record as stored now (create and update events). */
  async checkInDatabase(
    principal: Principal,
    subscription: Subscription,
    collection: Collection,
    recordId: string,
  ): Promise<boolean> {
    const request = subscriptionRequest(principal, subscription);
    const scope = scopeFor(this.#deps, collection, request);
    try {
      const rule = ruleCondition(scope, subscription.recordId ? 'viewRule' : 'listRule');
      const filter = subscription.filterText ? clientFilterCondition(scope, subscription.filterText) : undefined;
      const row = await this.#deps.store.first(
        sql`SELECT 1 AS "x" FROM ${ident(collection.name)} AS ${ident(RECORD_ALIAS)} WHERE ${ident(RECORD_ALIAS)}."id" = ${recordId} AND ${andConditions([rule, filter])}`,
      );
      return row !== undefined;
    } catch {
      return false;
    }
  }

  /**
   * The database's answer for a deleted record whose rule or filter reaches other
   * records (`trip.members ?= @request.auth.id`). The row is gone when the event is
   * delivered, so the rule runs over the deleted values as a one-row table typed like
   * the real one. The records it reaches are still there, unless the same delete
   * removed them: a cascade's change carries the records it came through, and they are
   * read as they were (PocketBase checks a cascaded delete outside its transaction).
   */
  async checkDeletedInDatabase(
    principal: Principal,
    subscription: Subscription,
    collection: Collection,
    record: RecordData,
    cascadeFrom: readonly CascadeParent[] = [],
  ): Promise<boolean> {
    const dialect = this.#deps.store.dialect;
    const scope = {
      ...scopeFor(this.#deps, collection, subscriptionRequest(principal, subscription)),
      tableSql: tablesBeforeCascade(dialect, cascadeFrom),
    };
    try {
      const rule = ruleCondition(scope, subscription.recordId ? 'viewRule' : 'listRule');
      const filter = subscription.filterText ? clientFilterCondition(scope, subscription.filterText) : undefined;
      const row = await this.#deps.store.first(
        sql`SELECT 1 AS "x" FROM (${deletedRows(dialect, collection, [record], false)}) AS ${ident(RECORD_ALIAS)} WHERE ${andConditions([rule, filter])}`,
      );
      return row !== undefined;
    } catch {
      return false;
    }
  }

  #rule(
    principal: Principal,
    subscription: Subscription,
    collection: Collection,
  ): FilterPredicate | boolean | 'database' {
    if (principal.kind === 'superuser') return true;
    const text = subscription.recordId ? collection.viewRule : collection.listRule;
    if (text === null) return false;
    if (text.trim() === '') return true;
    return this.#predicate(principal, subscription, collection, 'rule', parseFilter(text), true);
  }

  #predicate(
    principal: Principal,
    subscription: Subscription,
    collection: Collection,
    kind: string,
    node: FilterNode,
    privileged: boolean,
  ): FilterPredicate | 'database' | false {
    const key = `${subscription.id}\u0000${kind}\u0000${collection.id}\u0000${collection.updated}`;
    const now = Date.now();
    const cached = this.#cache.get(key);
    if (cached && now - cached.builtAt < 1000) return cached.predicate;
    let predicate: FilterPredicate | 'database';
    try {
      predicate = createFilterPredicate(node, this.#context(principal, subscription, collection, privileged, now));
    } catch (error) {
      if (!isFilterNeedsDatabaseError(error)) return false; // a rule that cannot apply to this subscriber shows nothing
      predicate = 'database';
    }
    this.#cache.set(key, { predicate, builtAt: now });
    return predicate;
  }

  #context(principal: Principal, subscription: Subscription, collection: Collection, privileged: boolean, now: number) {
    const request = requestInfo(scopeFor(this.#deps, collection, subscriptionRequest(principal, subscription)));
    return {
      schema: this.#deps.collections,
      collection,
      request,
      now: new Date(now),
      allowHidden: privileged,
      allowRequestMacros: privileged,
      source: noLookups,
    };
  }
}
