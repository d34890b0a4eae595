import { column, sql, type Sql } from '../sql/sql.js';
import type { DialectName } from '../store/dialect.js';
import { andSql, caseSql, notSql, orSql, toSql, type BoolSql } from './bool-sql.js';
import type { FilterDialect } from './dialects/filter-dialect.js';
import { postgresFilterDialect } from './dialects/postgres-filter-dialect.js';
import { sqliteFilterDialect } from './dialects/sqlite-filter-dialect.js';
import type { FilterNode } from './filter-ast.js';
import { pathValueInDomain, type Quantifier } from './filter-compare.js';
import type { FilterContext } from './filter-context.js';
import { assertMacrosAllowed, planComparison, type ComparisonPlan, type PathTerm, type PlanSide } from './filter-plan.js';
import { pathSource, singlePathSql, type SqlPathState, type SqlSource } from './filter-sql-source.js';
import { compareSql, constSqlValue, pathSqlValue, type SqlValue } from './filter-sql-values.js';
import type { Domain } from './filter-values.js';

type SqlSide =
  | { readonly type: 'values'; readonly values: readonly SqlValue[]; readonly nullItem: SqlValue }
  | { readonly type: 'source'; readonly source: SqlSource; readonly item: SqlValue; readonly nullItem: SqlValue };

/** The filter dialect for a store dialect. */
export function filterDialectFor(name: DialectName): FilterDialect {
  return name === 'sqlite' ? sqliteFilterDialect : postgresFilterDialect;
}

/**
 * Compiles a parsed filter into a parameterized, never-NULL WHERE condition over
 * `FROM "<collection>" AS "<tableAlias>"`. Relation paths become correlated subqueries,
 * so rows are never multiplied. Throws FILTER_FORBIDDEN_MACRO (403) first, then
 * FILTER_INVALID (400) for unknown fields, bad modifiers and mismatched kinds.
 * @example sql`SELECT * FROM "posts" AS "t" WHERE ${compileFilter(parseFilter('views > 10'), context)}`
 */
export function compileFilter(node: FilterNode, context: FilterContext): Sql {
  assertMacrosAllowed(node, context);
  let aliases = 0;
  const state: SqlPathState = {
    dialect: filterDialectFor(context.dialect.name),
    outer: context.tableAlias,
    nextAlias: () => `__f${++aliases}`,
  };
  return sql`(${toSql(compileNode(node, context, state))})`;
}

function compileNode(node: FilterNode, context: FilterContext, state: SqlPathState): BoolSql {
  if (node.type === 'comparison') {
    const plan = planComparison(node, context);
    return typeof plan === 'boolean' ? plan : compileComparison(plan, state);
  }
  const items = node.items.map((item) => compileNode(item, context, state));
  return node.type === 'and' ? andSql(...items) : orSql(...items);
}

function compileComparison(plan: ComparisonPlan, state: SqlPathState): BoolSql {
  const left = sqlSide(plan.left, plan.domain, false, state);
  const right = sqlSide(plan.right, plan.domain, plan.domain === 'like', state);
  const compare = (a: SqlValue, b: SqlValue) => compareSql(state.dialect, plan.domain, plan.op, a, b);
  return quantifySql(left, plan.mode, (a) => quantifySql(right, plan.mode, (b) => compare(a, b)));
}

function sqlSide(side: PlanSide, domain: Domain, pattern: boolean, state: SqlPathState): SqlSide {
  const d = state.dialect;
  if (side.type === 'const') {
    return { type: 'values', values: side.values.map((v) => constSqlValue(d, domain, v)), nullItem: constSqlValue(d, domain, side.nullItem) };
  }
  const nullItem = constSqlValue(d, domain, pathValueInDomain(side.kind, domain, null, pattern));
  if (side.modifier === 'length') return { type: 'values', values: [pathSqlValue(d, 'number', domain, lengthSql(side, state), false, false)], nullItem };
  const lower = side.modifier === 'lower';
  if (!side.path.multi) {
    const value = pathSqlValue(d, side.kind, domain, singlePathSql(side.path, state), lower, side.path.hops.length > 0);
    return { type: 'values', values: [value], nullItem };
  }
  const source = pathSource(side.path, state);
  const nullable = side.path.terminal.type !== 'list';
  return { type: 'source', source, item: pathSqlValue(d, side.kind, domain, source.item, lower, nullable), nullItem };
}

function lengthSql(side: PathTerm, state: SqlPathState): Sql {
  const { path } = side;
  const d = state.dialect;
  if (!path.multi) return d.jsonArrayLength(singlePathSql(path, state));
  if (path.hops.length === 0 && path.terminal.type === 'list') return d.listLength(column(state.outer, path.terminal.column));
  const source = pathSource(path, state);
  return d.count(source.from, toSql(source.where));
}

/** SQL for quantify(): `any` is EXISTS; `all` is NOT EXISTS a failing item, or the null item when empty. */
function quantifySql(side: SqlSide, mode: Quantifier, test: (value: SqlValue) => BoolSql): BoolSql {
  if (side.type === 'values') {
    if (mode === 'any') return orSql(...side.values.map(test));
    return andSql(...(side.values.length === 0 ? [side.nullItem] : side.values).map(test));
  }
  const matches = test(side.item);
  if (mode === 'any') return existsSql(side.source, matches);
  const whenEmpty = test(side.nullItem);
  const allMatch = notSql(existsSql(side.source, notSql(matches)));
  if (whenEmpty === true) return allMatch;
  const nonEmpty = existsSql(side.source, true);
  return whenEmpty === false ? andSql(nonEmpty, allMatch) : caseSql(nonEmpty, allMatch, whenEmpty);
}

function existsSql(source: SqlSource, condition: BoolSql): BoolSql {
  const where = andSql(source.where, condition);
  if (where === false) return false;
  if (where === true) return sql`EXISTS (SELECT 1 FROM ${source.from})`;
  return sql`EXISTS (SELECT 1 FROM ${source.from} WHERE ${where})`;
}
