import { raw, sql, type Sql } from '../sql/sql.js';
import type { BoolSql } from '../sql/bool-sql.js';

/** One step into a JSON value: an object key, or an array index (digits, at most 9). */
export type JsonStep = { readonly key: string } | { readonly index: number };

/** Ordering operators as SQL text. */
export type OrderOp = '>' | '>=' | '<' | '<=';

/**
 * A JSON value taken apart for comparison: type flags (never NULL) and typed values
 * (read only where the matching flag is true).
 */
export interface JsonParts {
  readonly nullish: BoolSql;
  readonly isText: BoolSql;
  readonly text: Sql;
  readonly isNumber: BoolSql;
  readonly num: Sql;
  readonly isBool: BoolSql;
  readonly bool: Sql;
}

/** The SQL the filter compiler needs that differs between SQLite and PostgreSQL. */
export interface FilterDialect {
  /** Typed parameters (PostgreSQL needs casts to infer types). */
  textParam(value: string): Sql;
  numberParam(value: number | null): Sql;
  boolParam(value: boolean | null): Sql;
  /** A typed NULL of a kind, standing for a missing value. */
  nullOf(kind: 'number' | 'bool' | 'json'): Sql;
  /** `a op b` ordering texts by code point. */
  textOrder(a: Sql, op: OrderOp, b: Sql): Sql;
  /** Lowercases ASCII letters only. */
  foldAscii(text: Sql): Sql;
  /** `subject LIKE pattern ESCAPE '\'`, folding ASCII letters of the subject only. */
  like(subject: Sql, pattern: Sql): Sql;
  /** Null-safe equality of two nullable values of the same type. */
  nullSafeEqual(a: Sql, b: Sql): Sql;
  /** The JSON value at `steps` inside a json column (SQLite: JSON text; PostgreSQL: jsonb). */
  jsonAt(column: Sql, steps: readonly JsonStep[]): Sql;
  /** A JSON value taken apart. */
  jsonParts(value: Sql): JsonParts;
  /** The length of a JSON array value, 0 for anything else (a number). */
  jsonArrayLength(value: Sql): Sql;
  /** A table expression yielding one row per item of a list column, in column "value". */
  listItems(list: Sql, alias: string): Sql;
  /** Joins a table expression that reads columns of the tables before it. */
  joinLateral(table: Sql): Sql;
  /** True when a list column holds the value. */
  listContains(list: Sql, value: Sql): Sql;
  /** True when a list column holds exactly the items of a JSON array text, in order. */
  listEquals(list: Sql, jsonArray: Sql): Sql;
  /** The number of items of a list column (a number). */
  listLength(list: Sql): Sql;
  /** `(SELECT COUNT(*) FROM … WHERE …)` as a number. */
  count(from: Sql, where: Sql): Sql;
  /** An ORDER BY expression for text, in code point order. */
  orderText(text: Sql): Sql;
  /** An ORDER BY expression for a JSON value (its JSON text). */
  orderJson(value: Sql): Sql;
  /** `@random` and `@rowid` sort keys. */
  random(): Sql;
  rowid(alias: string): Sql;
  /**
   * A check of the statement's time budget, true unless the budget is spent, placed where
   * a relation path fans out: at the first item of each list (`alias` from listItems), or
   * at every 256th row of a table walked per outer row (SQLite, see sqlite-deadline.ts),
   * or at every row (PostgreSQL). See statement-budget.ts.
   */
  fanOutCheck(kind: 'list' | 'table', alias: string): BoolSql;
}

/** The SQL both databases share; each dialect overrides what differs. */
export const baseFilterDialect = {
  textOrder: (a: Sql, op: OrderOp, b: Sql) => sql`${a} ${raw(op)} ${b}`,
  count: (from: Sql, where: Sql) => sql`(SELECT COUNT(*) FROM ${from} WHERE ${where})`,
  orderText: (text: Sql) => text,
  random: () => raw('random()'),
  fanOutCheck: (_kind: 'list' | 'table', _alias: string): BoolSql => true,
} as const;
