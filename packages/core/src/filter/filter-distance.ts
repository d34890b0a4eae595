import { column, ident, raw, sql, type Sql } from '../sql/sql.js';
import { toSql } from '../sql/bool-sql.js';
import type { FunctionOperand } from './filter-ast.js';
import { pathValueInDomain, type CompareValue } from './filter-compare.js';
import { filterError, quoteForMessage } from './filter-error.js';
import { singlePathSql, type SqlPathState } from './filter-sql-source.js';
import { pathSqlValue } from './filter-sql-values.js';
import type { PathTerm, Term } from './filter-terms.js';

/** The Earth's mean radius in kilometres, as PocketBase's geoDistance uses it. */
const EARTH_RADIUS_KM = 6371;

/** One argument of geoDistance: a number (null when missing) or a single-valued number path. */
export type DistanceArg = { readonly type: 'const'; readonly value: number | null } | PathTerm;

/** `geoDistance(lonA, latA, lonB, latB)` resolved: a number, NULL when any argument is missing. */
export interface DistanceTerm {
  readonly type: 'distance';
  readonly kind: 'number';
  readonly raw: string;
  readonly args: readonly DistanceArg[];
}

/**
 * Resolves the arguments with `resolve` (the planner's operand resolution). Arguments
 * must be numbers: a number, `null`, a number field, a json path (`place.lon`) or a
 * `@request` value; a path that yields several values (a multi relation) is refused, so
 * one record has one distance (PocketBase matches if any of them does).
 */
export function distanceTerm<Plan>(
  operand: FunctionOperand,
  resolve: (arg: FunctionOperand['args'][number]) => Term<Plan>,
): DistanceTerm {
  const args = operand.args.map((arg): DistanceArg => {
    const term = resolve(arg);
    const fail = (what: string) => filterError(`geoDistance() needs numbers: ${what}`, arg.position);
    if (term.type === 'const') {
      const value = term.values[0];
      if (term.multi || !value || (value.kind !== 'number' && value.kind !== 'null'))
        throw fail(`${quoteForMessage(rawOf(arg))} is not a number`);
      return { type: 'const', value: value.kind === 'number' ? value.value : null };
    }
    if (term.type !== 'path' || term.collection || term.modifier !== 'none')
      throw fail(`${quoteForMessage(rawOf(arg))} cannot be an argument`);
    if (term.path.multi) throw fail(`${quoteForMessage(term.path.raw)} holds several values`);
    if (term.kind !== 'number' && term.kind !== 'json')
      throw fail(`${quoteForMessage(term.path.raw)} is a ${term.kind} value`);
    return term;
  });
  return { type: 'distance', kind: 'number', raw: operand.raw, args };
}

function rawOf(arg: FunctionOperand['args'][number]): string {
  return 'raw' in arg ? arg.raw : 'value' in arg ? String(arg.value) : arg.type;
}

/**
 * The haversine-by-cosines distance PocketBase computes, in SQL (SQLite's math functions
 * and PostgreSQL's alike). NB: rounding can put the cosine a hair outside [-1, 1], where
 * PostgreSQL's acos fails; the cosine is computed once and clamped.
 */
export function distanceSql(term: DistanceTerm, state: SqlPathState): Sql {
  const [lonA, latA, lonB, latB] = term.args.map((arg) => argSql(arg, state)) as [Sql, Sql, Sql, Sql];
  const cosine = sql`cos(radians(${latA})) * cos(radians(${latB})) * cos(radians(${lonB}) - radians(${lonA})) + sin(radians(${latA})) * sin(radians(${latB}))`;
  const alias = state.nextAlias();
  const v = column(alias, 'v');
  const clamped = sql`CASE WHEN ${v} > 1 THEN 1 WHEN ${v} < -1 THEN -1 ELSE ${v} END`;
  return sql`(SELECT ${raw(String(EARTH_RADIUS_KM))} * acos(${clamped}) FROM (SELECT ${cosine} AS "v") AS ${ident(alias)})`;
}

function argSql(arg: DistanceArg, state: SqlPathState): Sql {
  const d = state.dialect;
  if (arg.type === 'const') return d.numberParam(arg.value);
  const value = pathSqlValue(d, arg.kind, 'number', singlePathSql(arg.path, state), false, true);
  if (value.type === 'scalar') return value.sql;
  if (value.type !== 'json') throw new Error('filter compiler bug: geoDistance argument is no number');
  // A json value counts only when it is a number (`place.lon`), as in the evaluator.
  return sql`(CASE WHEN ${toSql(value.parts.isNumber)} THEN ${value.parts.num} END)`;
}

/** The same distance in JavaScript, for the in-memory evaluator; null when an argument is missing. */
export function distanceOf(values: readonly CompareValue[]): number | null {
  if (!values.every((v): v is number => typeof v === 'number')) return null;
  const [lonA, latA, lonB, latB] = values.map((v) => (v * Math.PI) / 180) as [number, number, number, number];
  const cosine = Math.cos(latA) * Math.cos(latB) * Math.cos(lonB - lonA) + Math.sin(latA) * Math.sin(latB);
  return EARTH_RADIUS_KM * Math.acos(Math.min(1, Math.max(-1, cosine)));
}

/** An argument's value in the number domain, from a path's raw item (see pathItems). */
export function argValue(arg: DistanceArg, item: unknown): CompareValue {
  if (arg.type === 'const') return arg.value;
  return pathValueInDomain(arg.kind, 'number', item, false);
}
