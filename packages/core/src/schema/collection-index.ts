import { AppError } from '../errors/app-error.js';
import { quoteIdentifier } from '../sql/sql.js';

/** A parsed `CREATE [UNIQUE] INDEX name ON table (col [ASC|DESC], …)` definition. */
export interface IndexDef {
  readonly name: string;
  readonly unique: boolean;
  readonly columns: ReadonlyArray<{ name: string; desc: boolean }>;
}

const INDEX_SQL =
  /^\s*CREATE\s+(UNIQUE\s+)?INDEX\s+(IF\s+NOT\s+EXISTS\s+)?[`"[]?(\w+)[`"\]]?\s+ON\s+[`"[]?(\w+)[`"\]]?\s*\(([^()]*)\)\s*;?\s*$/i;
const INDEX_COLUMN = /^[`"[]?(\w+)[`"\]]?(\s+(ASC|DESC))?$/i;

/**
 * Parses one index definition of collection JSON. Only plain column indexes are
 * accepted; Tandem rebuilds the SQL itself with quoted names, so index text is never
 * run as given.
 */
export function parseIndex(text: string): IndexDef {
  const match = INDEX_SQL.exec(text);
  if (!match) throw invalidIndex(text);
  const columns = match[5]!.split(',').map((part) => {
    const column = INDEX_COLUMN.exec(part.trim());
    if (!column) throw invalidIndex(text);
    return { name: column[1]!, desc: (column[3] ?? '').toUpperCase() === 'DESC' };
  });
  return { name: match[3]!, unique: Boolean(match[1]), columns };
}

function invalidIndex(text: string): AppError {
  return new AppError('COLLECTION_INVALID', undefined, {
    indexes: { code: 'validation_invalid_index', message: `Unsupported index definition: ${text.slice(0, 200)}` },
  });
}

/** The CREATE INDEX statement for a parsed index on a table. */
export function createIndexSql(table: string, index: IndexDef): string {
  const columns = index.columns.map((c) => quoteIdentifier(c.name) + (c.desc ? ' DESC' : '')).join(', ');
  return `CREATE ${index.unique ? 'UNIQUE ' : ''}INDEX ${quoteIdentifier(index.name)} ON ${quoteIdentifier(table)} (${columns})`;
}

/** Canonical text of an index definition, as stored in collection JSON. */
export function formatIndex(table: string, index: IndexDef): string {
  const columns = index.columns.map((c) => `\`${c.name}\`` + (c.desc ? ' DESC' : '')).join(', ');
  return `CREATE ${index.unique ? 'UNIQUE ' : ''}INDEX \`${index.name}\` ON \`${table}\` (${columns})`;
}
