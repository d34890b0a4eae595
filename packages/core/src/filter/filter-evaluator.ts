import type { Row } from '../store/store.js';
import type { FilterNode } from './filter-ast.js';
import { compareValues, pathValueInDomain, quantify, type CompareValue } from './filter-compare.js';
import type { EvaluateContext, FilterRecordSource } from './filter-context.js';
import { FilterNeedsDatabaseError, needsDatabase } from './filter-needs-database.js';
import {
  assertMacrosAllowed,
  planComparison,
  type ChangedSide,
  type ComparisonPlan,
  type PlanSide,
} from './filter-plan.js';
import { isGuardedPath } from './filter-path.js';
import { pathItems } from './filter-record-values.js';
import { argValue, distanceOf, type DistanceArg, type DistanceTerm } from './filter-distance.js';
import { foldAscii } from '../text/code-points.js';
import type { Domain } from './filter-values.js';

/** A filter prepared for repeated in-memory evaluation. */
export type FilterPredicate = (record: Row) => boolean;

type Side = { readonly items: (record: Row) => readonly CompareValue[]; readonly nullItem: CompareValue };

/**
 * Prepares a filter for evaluation in memory: operands are resolved and errors thrown
 * once, here, exactly as compileFilter would throw them. The predicate answers what the
 * compiled SQL answers on SQLite and PostgreSQL for the same record. A filter with
 * `@collection` (see needsDatabase), or a client's filter that crosses a relation into a
 * collection with a list rule (see ListGuard), throws FilterNeedsDatabaseError after
 * every other check: the caller must run compileFilter instead.
 * @example const matches = createFilterPredicate(parseFilter('views > 10'), context); matches(record)
 */
export function createFilterPredicate(node: FilterNode, context: EvaluateContext): FilterPredicate {
  assertMacrosAllowed(node, context);
  const found = { guardedPath: false };
  const predicate = prepareNode(node, context, found);
  if (needsDatabase(node) || found.guardedPath) throw new FilterNeedsDatabaseError();
  return predicate;
}

/**
 * Evaluates a filter against one record in memory (realtime, create rules).
 * @example evaluateFilter(parseFilter('author = @request.auth.id'), context, record)
 */
export function evaluateFilter(node: FilterNode, context: EvaluateContext, record: Row): boolean {
  return createFilterPredicate(node, context)(record);
}

/** What preparation found that only SQL can answer (list rules of guarded relation paths). */
interface Found {
  guardedPath: boolean;
}

function prepareNode(node: FilterNode, context: EvaluateContext, found: Found): FilterPredicate {
  if (node.type === 'comparison') {
    const plan = planComparison(node, context);
    if (typeof plan === 'boolean') return () => plan;
    found.guardedPath ||= [plan.left, plan.right]
      .flatMap((side): readonly (PlanSide | DistanceArg)[] => (side.type === 'distance' ? side.args : [side]))
      .some((side) => side.type === 'path' && isGuardedPath(side.path));
    return prepareComparison(plan, context.source);
  }
  const items = node.items.map((item) => prepareNode(item, context, found));
  return node.type === 'and'
    ? (record) => items.every((item) => item(record))
    : (record) => items.some((item) => item(record));
}

function prepareComparison(plan: ComparisonPlan, source: FilterRecordSource): FilterPredicate {
  const left = prepareSide(plan.left, plan.domain, false, source);
  const right = prepareSide(plan.right, plan.domain, plan.domain === 'like', source);
  return (record) => {
    const rightItems = right.items(record);
    return quantify(left.items(record), plan.mode, left.nullItem, (a) =>
      quantify(rightItems, plan.mode, right.nullItem, (b) => compareValues(plan.domain, plan.op, a, b)),
    );
  };
}

function prepareSide(side: PlanSide, domain: Domain, pattern: boolean, source: FilterRecordSource): Side {
  if (side.type === 'const') return { items: () => side.values, nullItem: side.nullItem };
  const convert = (raw: unknown) =>
    pathValueInDomain(
      side.kind,
      domain,
      side.type === 'path' && side.modifier === 'lower' ? lowerRaw(raw) : raw,
      pattern,
    );
  if (side.type === 'changed') {
    const changed = prepareChanged(side, source);
    return { items: (record) => [convert(changed(record))], nullItem: convert(null) };
  }
  if (side.type === 'distance')
    return { items: (record) => [convert(distanceIn(side, record, source))], nullItem: null };
  if (side.modifier === 'length')
    return { items: (record) => [lengthOf(side.path.multi, pathItems(side.path, record, source))], nullItem: null };
  return { items: (record) => pathItems(side.path, record, source).map(convert), nullItem: convert(null) };
}

/** Mirrors the compiler's distanceSql: each argument's one value, then the distance. */
function distanceIn(side: DistanceTerm, record: Row, source: FilterRecordSource): number | null {
  return distanceOf(
    side.args.map((arg) => argValue(arg, arg.type === 'const' ? null : pathItems(arg.path, record, source)[0])),
  );
}

/** Mirrors the compiler's changedSql: NOT (`<field> = @request.body.<field>`). */
function prepareChanged(side: ChangedSide, source: FilterRecordSource): FilterPredicate {
  const { same } = side;
  if (typeof same === 'boolean') return () => !same;
  if ('type' in same) {
    const submitted = JSON.stringify(same.items);
    return (record) => JSON.stringify(listOf(record[same.column])) !== submitted;
  }
  const isSame = prepareComparison(same, source);
  return (record) => !isSame(record);
}

function listOf(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

function lengthOf(multi: boolean, items: readonly unknown[]): number {
  if (multi) return items.length;
  const value = items[0];
  return Array.isArray(value) ? value.length : 0;
}

function lowerRaw(raw: unknown): unknown {
  return typeof raw === 'string' ? foldAscii(raw) : raw;
}
