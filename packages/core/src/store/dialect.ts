import type { Sql, SqlRenderer } from '../sql/sql.js';
import type { FilterDialect } from './filter-sql-dialect.js';

/** The databases Tandem stores records in. */
export type DialectName = 'sqlite' | 'postgres';

/**
 * How a field's value is kept in its column. Every record column is NOT NULL with a
 * zero default except `json`, which may be NULL.
 * - text: TEXT ('' default)             - number: REAL / double precision (0)
 * - bool: INTEGER 0|1 / boolean (false) - json: TEXT holding JSON / jsonb (NULL)
 * - list: a JSON array of strings: TEXT / jsonb ('[]'), for multi select and relation
 */
export type ColumnKind = 'text' | 'number' | 'bool' | 'json' | 'list';

/**
 * Every difference between the two SQL dialects that the rest of core relies on, in one
 * object per database chosen once when the store opens (`storage/<name>/<name>-dialect.ts`).
 * Code outside `storage/` asks this object, never the dialect's name.
 */
export interface Dialect extends SqlRenderer {
  /**
   * For test names and a migration's SQL step, which names the database it was written
   * for; no behaviour of core branches on it.
   */
  readonly name: DialectName;
  /** The database's name in messages to people. */
  readonly displayName: 'SQLite' | 'PostgreSQL';
  /** The SQL differences of the filter compiler (JSON paths, list items, LIKE, ordering). */
  readonly filter: FilterDialect;
  /** The column type of epoch milliseconds and sequence numbers (64-bit integers). */
  readonly bigIntType: string;
  /** What follows a SELECT inside a transaction to lock its rows until commit ('' where the database has one writer). */
  readonly rowLock: string;
  /**
   * A statement that, inside a transaction, waits until no other process is creating or
   * upgrading the system tables, and holds that turn until commit ('' where the database
   * has one writer). Several processes starting on one database would otherwise run the
   * same DDL side by side, which PostgreSQL refuses for one of them ("tuple concurrently
   * updated" for CREATE OR REPLACE FUNCTION, a unique violation for CREATE TABLE IF NOT EXISTS).
   */
  readonly setupLock: string;
  /**
   * True where the database runs one write transaction at a time (SQLite): a write may
   * then take the next change-log `seq` by reading the newest one, as no other write can
   * take it meanwhile. Where writers run side by side (PostgreSQL), they take it from a
   * counter row under its row lock, in one statement (an UPDATE … RETURNING in a WITH).
   */
  readonly oneWriter: boolean;
  /** True when the driver answers within the call (better-sqlite3), so a call's time is the time spent in it. */
  readonly synchronous: boolean;
  /** The column type for a storage kind, with its NOT NULL and default clause. */
  columnDefinition(kind: ColumnKind): string;
  /** Converts a JS value to what the driver stores for a column of this kind. */
  toColumn(kind: ColumnKind, value: unknown): unknown;
  /** Converts what the driver returns for a column of this kind back to a JS value. */
  fromColumn(kind: ColumnKind, value: unknown): unknown;
  /**
   * What reading a written value back from a column of this kind would give, or
   * undefined when only the database can tell (it may normalize the value). Lets a write
   * answer without reading its row back, byte for byte as a read-back would.
   */
  readBack(kind: ColumnKind, value: unknown): { value: unknown } | undefined;
  /** An index column that compares case-insensitively (`COLLATE NOCASE` in collection JSON), from its quoted name. */
  caseInsensitiveIndexColumn(quotedColumn: string): string;
  /** A query for the columns of a table or view, in order: rows of `{ name, type }` (the declared SQL type). */
  columnsQuery(table: string): Sql;
}

/**
 * True for text both drivers store verbatim. Lone UTF-16 surrogates become U+FFFD in
 * UTF-8, so text with any surrogate is left to a real read-back (rare, and exact).
 */
export function storesTextVerbatim(value: unknown): boolean {
  return typeof value !== 'string' || !SURROGATE.test(value);
}

const SURROGATE = /[\uD800-\uDFFF]/;
