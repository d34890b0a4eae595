import { ident, raw, sql, type Sql } from '../../sql/sql.js';
import { baseFilterDialect, type FilterDialect } from '../../store/filter-sql-dialect.js';
import { postgresBudgetCheck, STATEMENT_BUDGET_MS } from '../../store/statement-budget.js';

// NB: lower() and ILIKE fold non-ASCII letters too, which SQLite and the evaluator do not.
// The ASCII alphabets for translate(): only A–Z fold, as in SQLite's lower() and LIKE.
/** A fan-out's budget check (see statement-budget.ts). */
const FAN_OUT_CHECK = postgresBudgetCheck(STATEMENT_BUDGET_MS);
const FOLD = raw("'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz'");

/**
 * PostgreSQL: every parameter is cast (its type is never inferred), text compares with
 * `COLLATE "C"` (code point order), ASCII folding uses translate(), JSON is jsonb.
 */
export const postgresFilterDialect: FilterDialect = {
  ...baseFilterDialect,
  textParam: (value) => sql`CAST(${value} AS text)`,
  numberParam: (value) => sql`CAST(${value} AS double precision)`,
  boolParam: (value) => sql`CAST(${value} AS boolean)`,
  nullOf: (kind) =>
    raw(`CAST(NULL AS ${kind === 'number' ? 'double precision' : kind === 'bool' ? 'boolean' : 'jsonb'})`),
  textOrder: (a, op, b) => sql`${a} ${raw(op)} ${b} COLLATE "C"`,
  foldAscii: (text) => sql`translate(${text}, ${FOLD})`,
  like: (subject, pattern) => sql`translate(${subject}, ${FOLD}) COLLATE "C" LIKE ${pattern} ESCAPE '\\'`,
  nullSafeEqual: (a, b) => sql`${a} IS NOT DISTINCT FROM ${b}`,
  // NB: `'"x"'::jsonb -> 0` returns "x" (a scalar is stored as a one-item array), so
  // index steps apply only to real arrays.
  jsonAt: (column, steps) =>
    steps.reduce<Sql>(
      (value, step) =>
        'index' in step
          ? sql`(CASE WHEN jsonb_typeof(${value}) = 'array' THEN ${value} -> CAST(${step.index} AS integer) END)`
          : sql`(${value} -> CAST(${step.key} AS text))`,
      column,
    ),
  jsonParts: (value) => ({
    nullish: sql`COALESCE(${value} #>> '{}', '') = ''`,
    isText: sql`COALESCE(jsonb_typeof(${value}) = 'string', FALSE)`,
    text: sql`(${value} #>> '{}')`,
    isNumber: sql`COALESCE(jsonb_typeof(${value}) = 'number', FALSE)`,
    num: sql`(CASE WHEN jsonb_typeof(${value}) = 'number' THEN CAST(${value} #>> '{}' AS double precision) END)`,
    isBool: sql`COALESCE(jsonb_typeof(${value}) = 'boolean', FALSE)`,
    bool: sql`(CASE WHEN jsonb_typeof(${value}) = 'boolean' THEN CAST(${value} #>> '{}' AS boolean) END)`,
  }),
  jsonArrayLength: (value) =>
    sql`CAST(CASE WHEN jsonb_typeof(${value}) = 'array' THEN jsonb_array_length(${value}) ELSE 0 END AS double precision)`,
  listItems: (list, alias) => sql`jsonb_array_elements_text(${list}) AS ${ident(alias)}("value")`,
  joinLateral: (table) => sql`CROSS JOIN LATERAL ${table}`,
  listContains: (list, value) => sql`${list} @> jsonb_build_array(${value})`,
  listEquals: (list, jsonArray) => sql`COALESCE(${list} = CAST(${jsonArray} AS jsonb), FALSE)`,
  listLength: (list) => sql`CAST(jsonb_array_length(${list}) AS double precision)`,
  count: (from, where) => sql`CAST((SELECT COUNT(*) FROM ${from} WHERE ${where}) AS double precision)`,
  orderText: (text) => sql`${text} COLLATE "C"`,
  orderJson: (value) => sql`CAST(${value} AS text) COLLATE "C"`,
  rowid: (alias) => sql`${ident(alias)}.ctid`,
  // At every row (PostgreSQL has no rowid to sample by).
  fanOutCheck: () => FAN_OUT_CHECK,
};
