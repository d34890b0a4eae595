import type { RecordData } from '../schema/principal.js';
import type { Collection, FieldDef } from '../schema/collection.js';
import { isMultiValued } from '../schema/field-storage.js';
import { ident, join, param, sql, type Sql } from '../sql/sql.js';
import { RECORD_ALIAS, scopeFor, type RecordDeps } from './record-deps.js';
import { andConditions, ruleConditionOrNothing } from './record-rules.js';
import { selectRecords } from './record-read.js';
import type { RequestContext } from './request-context.js';
import { jsonArrayContainsAny } from './relation-sql.js';

/** Most records one back-relation read returns (as expand), and most ids one read takes. */
export const MAX_RELATED = 1000;

/**
 * The records of `target` with these ids that the request may view, in one statement.
 * A locked view rule matches nothing (no error): a related record the caller may not
 * view is simply absent, as in expand.
 */
export async function selectViewableByIds(
  deps: RecordDeps,
  target: Collection,
  ids: readonly string[],
  request: RequestContext,
): Promise<RecordData[]> {
  if (ids.length === 0) return [];
  return selectViewable(deps, target, sql`${ident(RECORD_ALIAS)}."id" IN (${join(ids.map(param))})`, request);
}

/**
 * The records of `target` whose relation `field` holds any of `ids` and that the request
 * may view, in one statement (at most MAX_RELATED of them).
 */
export async function selectViewableReferencing(
  deps: RecordDeps,
  target: Collection,
  field: FieldDef,
  ids: readonly string[],
  request: RequestContext,
): Promise<RecordData[]> {
  if (ids.length === 0) return [];
  const column = sql`${ident(RECORD_ALIAS)}.${ident(field.name)}`;
  const match = isMultiValued(field)
    ? jsonArrayContainsAny(deps.store.dialect, column, [...ids])
    : sql`${column} IN (${join(ids.map(param))})`;
  return selectViewable(deps, target, match, request, sql` LIMIT ${MAX_RELATED}`);
}

function selectViewable(
  deps: RecordDeps,
  target: Collection,
  match: Sql,
  request: RequestContext,
  tail?: Sql,
): Promise<RecordData[]> {
  const rule = ruleConditionOrNothing(scopeFor(deps, target, request), 'viewRule');
  return selectRecords(deps, deps.store, target, andConditions([match, rule]), tail);
}

/** The ids a relation value holds (one id, a list, or nothing). */
export function relationIdsOf(value: unknown): string[] {
  if (Array.isArray(value)) return value.filter((v): v is string => typeof v === 'string' && v !== '');
  return typeof value === 'string' && value !== '' ? [value] : [];
}
