import { storesTextVerbatim, type ColumnKind, type Dialect } from '../../store/dialect.js';
import { quoteIdentifier, sql } from '../../sql/sql.js';
import { postgresFilterDialect } from './postgres-filter-dialect.js';

/** The advisory lock key Tandem's processes take while they set up the system tables (any fixed number). */
const SETUP_LOCK_KEY = 7364026561;

const columnDefinitions: Record<ColumnKind, string> = {
  text: "TEXT NOT NULL DEFAULT ''",
  number: 'DOUBLE PRECISION NOT NULL DEFAULT 0',
  bool: 'BOOLEAN NOT NULL DEFAULT FALSE',
  json: 'JSONB DEFAULT NULL',
  list: "JSONB NOT NULL DEFAULT '[]'::jsonb",
};

/** PostgreSQL: `$n` placeholders, native booleans, JSON kept as jsonb. */
export const postgresDialect: Dialect = {
  name: 'postgres',
  displayName: 'PostgreSQL',
  filter: postgresFilterDialect,
  bigIntType: 'BIGINT',
  rowLock: ' FOR UPDATE',
  setupLock: `SELECT pg_advisory_xact_lock(${SETUP_LOCK_KEY})`,
  oneWriter: false,
  synchronous: false,
  placeholder: (index) => `$${index}`,
  quoteIdent: quoteIdentifier,
  bindValue: (value) => (value === undefined ? null : value),
  columnDefinition: (kind) => columnDefinitions[kind],
  // PostgreSQL has no NOCASE collation; an index over lower() gives the same uniqueness.
  caseInsensitiveIndexColumn: (quoted) => `lower(${quoted})`,
  columnsQuery: (table) =>
    sql`SELECT column_name AS "name", data_type AS "type" FROM information_schema.columns
      WHERE table_schema = current_schema() AND table_name = ${table} ORDER BY ordinal_position`,
  toColumn(kind, value) {
    if (kind === 'bool') return Boolean(value);
    // NB: pg would send a JS array as a PostgreSQL array literal, not JSON.
    if (kind === 'list') return JSON.stringify(value ?? []);
    if (kind === 'json') return value === null || value === undefined ? null : JSON.stringify(value);
    return value;
  },
  fromColumn(kind, value) {
    if (kind === 'list') return Array.isArray(value) ? value : [];
    if (kind === 'json') return value === undefined ? null : value;
    if (kind === 'number') return typeof value === 'string' ? Number(value) : value;
    return value;
  },
  // jsonb reorders object keys and rewrites numbers, so a json value needs a real
  // read-back; a list is an array of strings, which jsonb keeps as is.
  readBack(kind, value) {
    if (kind === 'json' || (kind === 'text' && !storesTextVerbatim(value))) return undefined;
    if (kind === 'list') return { value: JSON.parse(JSON.stringify(value ?? [])) };
    return { value: this.fromColumn(kind, this.toColumn(kind, value)) };
  },
};
