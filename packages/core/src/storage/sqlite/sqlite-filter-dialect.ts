import { ident, param, raw, sql } from '../../sql/sql.js';
import { baseFilterDialect, type FilterDialect, type JsonStep } from '../../store/filter-sql-dialect.js';
import { DEADLINE_FUNCTION } from './sqlite-deadline.js';

/**
 * SQLite: LIKE and lower() already fold ASCII letters only, BINARY collation is code
 * point order, booleans are 0/1 and JSON is text read with `->`, `->>` and json_type().
 */
export const sqliteFilterDialect: FilterDialect = {
  ...baseFilterDialect,
  textParam: (value) => param(value),
  numberParam: (value) => param(value),
  boolParam: (value) => param(value === null ? null : value ? 1 : 0),
  nullOf: () => raw('NULL'),
  foldAscii: (text) => sql`lower(${text})`,
  like: (subject, pattern) => sql`${subject} LIKE ${pattern} ESCAPE '\\'`,
  nullSafeEqual: (a, b) => sql`${a} IS ${b}`,
  jsonAt: (column, steps) => sql`(${column} -> ${jsonPathText(steps)})`,
  jsonParts: (value) => ({
    nullish: sql`COALESCE(${value} ->> '$', '') = ''`,
    isText: sql`json_type(${value}) IS 'text'`,
    text: sql`(${value} ->> '$')`,
    isNumber: sql`COALESCE(json_type(${value}) IN ('integer', 'real'), FALSE)`,
    num: sql`(${value} ->> '$')`,
    isBool: sql`COALESCE(json_type(${value}) IN ('true', 'false'), FALSE)`,
    bool: sql`(${value} ->> '$')`,
  }),
  jsonArrayLength: (value) =>
    sql`(CASE WHEN json_type(${value}) = 'array' THEN json_array_length(${value}) ELSE 0 END)`,
  listItems: (list, alias) => sql`json_each(${list}) AS ${ident(alias)}`,
  joinLateral: (table) => sql`JOIN ${table}`,
  listContains: (list, value) => sql`${value} IN (SELECT "value" FROM json_each(${list}))`,
  listEquals: (list, jsonArray) => sql`COALESCE(json(${list}) = json(${jsonArray}), FALSE)`,
  listLength: (list) => sql`json_array_length(${list})`,
  orderJson: (value) => value,
  rowid: (alias) => sql`${ident(alias)}.rowid`,
  fanOutCheck: (kind, alias) =>
    kind === 'list'
      ? sql`(${ident(alias)}."key" <> 0 OR ${raw(DEADLINE_FUNCTION)}(${ident(alias)}."key"))`
      : sql`(${ident(alias)}.rowid % 256 <> 0 OR ${raw(DEADLINE_FUNCTION)}(${ident(alias)}.rowid))`,
};

/** `$."key"[0]`: keys are `\w+` (the grammar allows nothing else), sent as a parameter. */
function jsonPathText(steps: readonly JsonStep[]): string {
  return '$' + steps.map((step) => ('index' in step ? `[${step.index}]` : `."${step.key}"`)).join('');
}
