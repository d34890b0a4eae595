import { column, ident, join, raw, sql, type Sql } from '../sql/sql.js';
import { andSql, toSql, type BoolSql } from '../sql/bool-sql.js';
import type { FilterDialect } from '../store/filter-sql-dialect.js';
import type { Collection } from '../schema/collection.js';
import type { ListGuard, PathHop, ResolvedPath } from './filter-path.js';

/** The condition that a guarded hop's row (`alias`, a row of `entered`) passes its list rule. */
export type GuardSql = (entered: Collection, guard: ListGuard, alias: string) => BoolSql;

/**
 * What building SQL for paths needs: the dialect, the outer table alias, fresh aliases,
 * and the SQL of list rules for guarded hops (absent where no hop can be guarded: rules
 * and superusers).
 */
export interface SqlPathState {
  readonly dialect: FilterDialect;
  readonly outer: string;
  nextAlias(): string;
  readonly guardSql?: GuardSql;
  /** The rows of a collection a hop reads (see FilterContext.tableSql); its table when absent. */
  readonly tableSql?: (collection: Collection) => Sql;
}

/** The FROM item of a collection's rows, aliased. */
export function tableAs(state: Pick<SqlPathState, 'tableSql'>, collection: Collection, alias: string): Sql {
  const table = state.tableSql ? state.tableSql(collection) : ident(collection.name);
  return sql`${table} AS ${ident(alias)}`;
}

/** The rows a path walks through (`FROM … WHERE …`) and the item expression of each row. */
export interface SqlSource {
  readonly from: Sql;
  readonly where: BoolSql;
  readonly item: Sql;
}

/**
 * The SQL of a path's value, correlated with the outer table: a column for a plain field,
 * a scalar subquery (NULL when a relation is missing) for single-relation paths.
 * Only for paths that are not multi-valued.
 */
export function singlePathSql(path: ResolvedPath, state: SqlPathState): Sql {
  if (path.hops.length === 0) return terminalSql(path, state.outer, state);
  const source = pathSource(path, state);
  return sql`(SELECT ${source.item} FROM ${source.from} WHERE ${toSql(source.where)})`;
}

/**
 * The rows of a path as the FROM clause of a correlated subquery. The first hop reads the
 * outer row (inner join: a missing target gives no rows); later single and multi hops
 * are LEFT JOINs, so a missing target still gives one row whose columns are NULL;
 * back-relations and list items are inner joins. See filter-record-values.ts for the
 * same walk in JavaScript.
 */
export function pathSource(path: ResolvedPath, state: SqlPathState): SqlSource {
  const from: Sql[] = [];
  const where: BoolSql[] = [];
  let current = state.outer;
  for (const hop of path.hops) current = addHop(hop, current, from, where, state);
  if (path.terminal.type === 'list') {
    const alias = state.nextAlias();
    addTable(from, state.dialect.listItems(column(current, path.terminal.column), alias), state);
    return { from: join(from, ' '), where: whereOf(where), item: column(alias, 'value') };
  }
  return { from: join(from, ' '), where: whereOf(where), item: terminalSql(path, current, state) };
}

function addHop(hop: PathHop, current: string, from: Sql[], where: BoolSql[], state: SqlPathState): string {
  const alias = state.nextAlias();
  if (hop.type === 'fixed') {
    addJoined(from, where, tableAs(state, hop.target, alias), idsMatch(column(alias, 'id'), hop.ids, state), 'JOIN');
  } else if (hop.type === 'scan') {
    addJoined(from, where, tableAs(state, hop.target, alias), state.dialect.fanOutCheck('table', alias), 'JOIN');
  } else if (hop.type === 'single') {
    const on = andSql(
      sql`${column(alias, 'id')} = ${column(current, hop.column)}`,
      guardOf(hop, hop.target, alias, state),
    );
    addJoined(from, where, tableAs(state, hop.target, alias), on, 'LEFT JOIN');
  } else if (hop.type === 'multi') {
    const items = state.nextAlias();
    addTable(from, state.dialect.listItems(column(current, hop.column), items), state);
    const on = andSql(
      andSql(sql`${column(alias, 'id')} = ${column(items, 'value')}`, guardOf(hop, hop.target, alias, state)),
      state.dialect.fanOutCheck('list', items),
    );
    from.push(sql`LEFT JOIN ${tableAs(state, hop.target, alias)} ON ${toSql(on)}`);
  } else {
    const on = hop.multiColumn
      ? state.dialect.listContains(column(alias, hop.column), column(current, 'id'))
      : sql`${column(alias, hop.column)} = ${column(current, 'id')}`;
    addJoined(
      from,
      where,
      tableAs(state, hop.source, alias),
      andSql(andSql(on, guardOf(hop, hop.source, alias, state)), state.dialect.fanOutCheck('table', alias)),
      'JOIN',
    );
  }
  return alias;
}

/** `id = ?` for one id, `id IN (…)` for several, nothing for none (a multi relation submitted empty). */
function idsMatch(id: Sql, ids: readonly string[], state: SqlPathState): BoolSql {
  if (ids.length === 0) return false;
  if (ids.length === 1) return sql`${id} = ${state.dialect.textParam(ids[0]!)}`;
  return sql`${id} IN (${join(ids.map((value) => state.dialect.textParam(value)))})`;
}

/** The hop's list rule over its row, or true for an unguarded hop. Fails closed without a rule compiler. */
function guardOf(
  hop: PathHop & { type: 'single' | 'multi' | 'back' },
  entered: Collection,
  alias: string,
  state: SqlPathState,
): BoolSql {
  if (!hop.guard) return true;
  if (!state.guardSql)
    throw new Error(`a guarded relation path into "${entered.name}" was compiled without its list rule`);
  return state.guardSql(entered, hop.guard, alias);
}

/** The first table of a subquery is correlated through WHERE; later ones are joined. */
function addJoined(from: Sql[], where: BoolSql[], table: Sql, on: BoolSql, joinKind: 'JOIN' | 'LEFT JOIN'): void {
  if (from.length === 0) {
    from.push(table);
    where.push(on);
  } else {
    from.push(sql`${raw(joinKind)} ${table} ON ${toSql(on)}`);
  }
}

function addTable(from: Sql[], table: Sql, state: SqlPathState): void {
  from.push(from.length === 0 ? table : state.dialect.joinLateral(table));
}

function terminalSql(path: ResolvedPath, alias: string, state: SqlPathState): Sql {
  const terminal = path.terminal;
  if (terminal.type === 'json') return state.dialect.jsonAt(column(alias, terminal.column), terminal.steps);
  if (terminal.type === 'column' && terminal.guard)
    return guardedEmailSql(alias, terminal.column, terminal.guard.ownerId, state);
  return column(alias, terminal.column);
}

/** `email` as a caller without hidden access sees it: "" unless visible or the caller's own. */
function guardedEmailSql(alias: string, name: string, ownerId: string | null, state: SqlPathState): Sql {
  const visible = sql`${column(alias, 'emailVisibility')} = TRUE`;
  const own =
    ownerId === null ? visible : sql`${visible} OR ${column(alias, 'id')} = ${state.dialect.textParam(ownerId)}`;
  return sql`(CASE WHEN ${own} THEN ${column(alias, name)} ELSE '' END)`;
}

// Only the first table of a subquery adds a WHERE condition.
function whereOf(parts: BoolSql[]): BoolSql {
  return parts[0] ?? true;
}
