import { storesTextVerbatim, type ColumnKind, type Dialect } from '../../store/dialect.js';
import { quoteIdentifier, sql } from '../../sql/sql.js';
import { sqliteFilterDialect } from './sqlite-filter-dialect.js';

const columnDefinitions: Record<ColumnKind, string> = {
  text: "TEXT NOT NULL DEFAULT ''",
  number: 'REAL NOT NULL DEFAULT 0',
  bool: 'INTEGER NOT NULL DEFAULT 0',
  json: 'TEXT DEFAULT NULL',
  list: "TEXT NOT NULL DEFAULT '[]'",
};

/** SQLite: `?` placeholders, booleans as 0/1, JSON kept as text. */
export const sqliteDialect: Dialect = {
  name: 'sqlite',
  displayName: 'SQLite',
  filter: sqliteFilterDialect,
  bigIntType: 'INTEGER',
  // One writer at a time: a transaction's reads cannot be overtaken.
  rowLock: '',
  setupLock: '',
  oneWriter: true,
  synchronous: true,
  placeholder: () => '?',
  quoteIdent: quoteIdentifier,
  // NB: better-sqlite3 binds only numbers, strings, bigints, buffers and null.
  bindValue(value) {
    if (typeof value === 'boolean') return value ? 1 : 0;
    if (value === undefined) return null;
    return value;
  },
  columnDefinition: (kind) => columnDefinitions[kind],
  caseInsensitiveIndexColumn: (quoted) => `${quoted} COLLATE NOCASE`,
  columnsQuery: (table) => sql`SELECT "name", "type" FROM pragma_table_info(${table})`,
  toColumn(kind, value) {
    if (kind === 'bool') return value ? 1 : 0;
    if (kind === 'list') return JSON.stringify(value ?? []);
    if (kind === 'json') return value === null || value === undefined ? null : JSON.stringify(value);
    return value;
  },
  fromColumn(kind, value) {
    if (kind === 'bool') return value === 1 || value === 1n;
    if (kind === 'list') return parseJson(value, []);
    if (kind === 'json') return jsonColumnValue(value);
    return value;
  },
  // SQLite keeps text (JSON included) as written, so the column round trip is the read-back.
  readBack(kind, value) {
    if (kind === 'text' && !storesTextVerbatim(value)) return undefined;
    return { value: this.fromColumn(kind, this.toColumn(kind, value)) };
  },
};

/**
 * A json column's value. Stored fields always hold JSON text; a view's expression column
 * (`SUM(…)`, `group_concat(…)`) holds a plain number or text, answered as it is.
 */
function jsonColumnValue(value: unknown): unknown {
  if (typeof value === 'number') return value;
  if (typeof value === 'bigint') return Number(value);
  if (typeof value !== 'string') return null;
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}

function parseJson(value: unknown, fallback: unknown): unknown {
  if (typeof value !== 'string') return fallback;
  try {
    return JSON.parse(value);
  } catch {
    return fallback;
  }
}
