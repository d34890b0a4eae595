import { withRuleHidden } from './filter-error.js';
import type { Collection } from '../schema/collection.js';
import { column, ident, join, sql, type Sql } from '../sql/sql.js';
import { andSql, caseSql, notSql, orSql, toSql, type BoolSql } from '../sql/bool-sql.js';
import type { FilterNode } from './filter-ast.js';
import { pathValueInDomain, type Quantifier } from './filter-compare.js';
import type { FilterContext } from './filter-context.js';
import { withRootHop, type ResolvedPath } from './filter-path.js';
import {
  assertMacrosAllowed,
  planComparison,
  type ChangedSide,
  type ComparisonPlan,
  type PathTerm,
  type PlanSide,
} from './filter-plan.js';
import { parseFilter } from './filter-cache.js';
import {
  pathSource,
  singlePathSql,
  tableAs,
  type GuardSql,
  type SqlPathState,
  type SqlSource,
} from './filter-sql-source.js';
import { compareSql, constSqlValue, pathSqlValue, type SqlValue } from './filter-sql-values.js';
import type { Domain } from './filter-values.js';
import { distanceSql } from './filter-distance.js';

/** The path state plus the shared rows of `@collection` aliases, joined around the whole filter. */
interface CompileState extends SqlPathState {
  readonly joined: Map<string, { readonly alias: string; readonly target: Collection }>;
}

type SqlSide =
  | { readonly type: 'values'; readonly values: readonly SqlValue[]; readonly nullItem: SqlValue }
  | { readonly type: 'source'; readonly source: SqlSource; readonly item: SqlValue; readonly nullItem: SqlValue };

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
  const nextAlias = () => `__f${++aliases}`;
  const state: CompileState = {
    dialect: context.dialect.filter,
    outer: context.tableAlias,
    nextAlias,
    guardSql: listGuardCompiler(context, nextAlias),
    tableSql: context.tableSql,
    joined: new Map(),
  };
  return sql`(${toSql(withCollectionRows(compileNode(node, context, state), state))})`;
}

/**
 * Compiles the list rules of guarded hops (see ListGuard) for the same request, over the
 * hop's row. Rules see every field, so nothing inside a rule is guarded again. Aliases
 * come from the caller's counter: the rule's subqueries nest inside the caller's and must
 * never shadow one of its aliases.
 */
export function listGuardCompiler(context: FilterContext, nextAlias: () => string): GuardSql | undefined {
  if (context.allowHidden) return undefined;
  return (entered, guard, alias) => {
    const ruleContext: FilterContext = {
      ...context,
      collection: entered,
      tableAlias: alias,
      allowHidden: true,
      allowRequestMacros: true,
    };
    const state: CompileState = {
      dialect: context.dialect.filter,
      outer: alias,
      nextAlias,
      tableSql: context.tableSql,
      joined: new Map(),
    };
    return withRuleHidden(entered.name, 'listRule', () =>
      withCollectionRows(compileNode(parseFilter(guard.listRule), ruleContext, state), state),
    );
  };
}

/**
 * PocketBase joins each `@collection` alias once to the filtered query (LEFT JOIN, no
 * condition) and keeps a record when some combination of joined rows satisfies the
 * whole filter; `?` comparisons read that joined row. The same, as one EXISTS; an empty
 * collection still gives one row, whose columns are NULL.
 */
function withCollectionRows(condition: BoolSql, state: CompileState): BoolSql {
  if (state.joined.size === 0 || typeof condition === 'boolean') return condition;
  const joins = [...state.joined.values()].map(
    ({ alias, target }) => sql`LEFT JOIN ${tableAs(state, target, alias)} ON TRUE`,
  );
  return sql`EXISTS (SELECT 1 FROM (SELECT 1 AS "one") AS ${ident(state.nextAlias())} ${join(joins, ' ')} WHERE ${toSql(condition)})`;
}

function compileNode(node: FilterNode, context: FilterContext, state: CompileState): BoolSql {
  if (node.type === 'comparison') {
    const plan = planComparison(node, context);
    return typeof plan === 'boolean' ? plan : compileComparison(plan, state);
  }
  const items = node.items.map((item) => compileNode(item, context, state));
  return node.type === 'and' ? andSql(...items) : orSql(...items);
}

function compileComparison(plan: ComparisonPlan, state: CompileState): BoolSql {
  const left = sqlSide(plan.left, plan, false, state);
  const right = sqlSide(plan.right, plan, plan.domain === 'like', state);
  const compare = (a: SqlValue, b: SqlValue) => compareSql(state.dialect, plan.domain, plan.op, a, b);
  const result = quantifySql(left, plan.mode, (a) => quantifySql(right, plan.mode, (b) => compare(a, b)));
  return andSql(...joinedRowsExist(plan, state), result);
}

/**
 * NB: the joined row of an empty collection is all NULL, which PocketBase lets `?=`
 * match (`@collection.members.user ?= @request.auth.id` would admit guests when there
 * are no members). Here a `?` comparison needs a real row, as `?` over an empty list does.
 */
function joinedRowsExist(plan: ComparisonPlan, state: CompileState): Sql[] {
  if (plan.mode !== 'any') return [];
  return [plan.left, plan.right].flatMap((side) =>
    side.type === 'path' && side.collection
      ? [sql`${column(joinedAlias(state, side.collection.key, side.collection.target), 'id')} IS NOT NULL`]
      : [],
  );
}

function sqlSide(side: PlanSide, plan: ComparisonPlan, pattern: boolean, state: CompileState): SqlSide {
  const d = state.dialect;
  const { domain } = plan;
  if (side.type === 'const') {
    return {
      type: 'values',
      values: side.values.map((v) => constSqlValue(d, domain, v)),
      nullItem: constSqlValue(d, domain, side.nullItem),
    };
  }
  const nullItem = constSqlValue(d, domain, pathValueInDomain(side.kind, domain, null, pattern));
  if (side.type === 'changed')
    return {
      type: 'values',
      values: [pathSqlValue(d, 'bool', domain, toSql(changedSql(side, state)), false, false)],
      nullItem,
    };
  if (side.type === 'distance')
    return {
      type: 'values',
      values: [pathSqlValue(d, 'number', domain, distanceSql(side, state), false, false)],
      nullItem,
    };
  if (side.modifier === 'length')
    return {
      type: 'values',
      values: [pathSqlValue(d, 'number', domain, lengthSql(side.path, state), false, false)],
      nullItem,
    };
  const root = side.collection;
  if (!root) return pathSide(side, side.path, domain, nullItem, state, side.path.hops.length > 0);
  // `?`: the alias's shared joined row (maybe the NULL row); plain: every row of the collection.
  if (plan.mode === 'all')
    return pathSide(side, withRootHop(side.path, { type: 'scan', target: root.target }), domain, nullItem, state, true);
  return pathSide(
    side,
    side.path,
    domain,
    nullItem,
    { ...state, outer: joinedAlias(state, root.key, root.target) },
    true,
  );
}

function pathSide(
  side: PathTerm,
  path: ResolvedPath,
  domain: Domain,
  nullItem: SqlValue,
  state: SqlPathState,
  nullable: boolean,
): SqlSide {
  const d = state.dialect;
  const lower = side.modifier === 'lower';
  if (!path.multi)
    return {
      type: 'values',
      values: [pathSqlValue(d, side.kind, domain, singlePathSql(path, state), lower, nullable)],
      nullItem,
    };
  const source = pathSource(path, state);
  return {
    type: 'source',
    source,
    item: pathSqlValue(d, side.kind, domain, source.item, lower, path.terminal.type !== 'list'),
    nullItem,
  };
}

function joinedAlias(state: CompileState, key: string, target: Collection): string {
  const known = state.joined.get(key);
  if (known) return known.alias;
  const alias = state.nextAlias();
  state.joined.set(key, { alias, target });
  return alias;
}

/** NOT (`<field> = @request.body.<field>`) on the filtered row; lists compare as JSON arrays. */
function changedSql(side: ChangedSide, state: CompileState): BoolSql {
  const { same } = side;
  if (typeof same === 'boolean') return !same;
  if ('type' in same)
    return notSql(
      state.dialect.listEquals(column(state.outer, same.column), state.dialect.textParam(JSON.stringify(same.items))),
    );
  return notSql(compileComparison(same, state));
}

function lengthSql(path: ResolvedPath, state: SqlPathState): Sql {
  const d = state.dialect;
  if (!path.multi) return d.jsonArrayLength(singlePathSql(path, state));
  if (path.hops.length === 0 && path.terminal.type === 'list')
    return d.listLength(column(state.outer, path.terminal.column));
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
