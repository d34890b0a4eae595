import { AppError } from '../errors/app-error.js';
import { quoteIdentifier } from '../sql/sql.js';
import type { Dialect } from '../store/dialect.js';
import { formatIndexWhere, parseIndexWhere, whereColumns, type WhereNode } from './index-where.js';

/** One column of an index: its name, order and whether it compares case-insensitively (`COLLATE NOCASE`). */
export interface IndexColumn {
  readonly name: string;
  readonly desc: boolean;
  readonly nocase: boolean;
}

/** A parsed `CREATE [UNIQUE] INDEX name ON table (col [COLLATE NOCASE] [ASC|DESC], …) [WHERE …]` definition. */
export interface IndexDef {
  readonly name: string;
  readonly unique: boolean;
  readonly columns: readonly IndexColumn[];
  /** The condition of a partial index, if any. */
  readonly where?: WhereNode;
}

const INDEX_SQL =
  /^\s*CREATE\s+(UNIQUE\s+)?INDEX\s+(IF\s+NOT\s+EXISTS\s+)?[`"[]?(\w+)[`"\]]?\s+ON\s+[`"[]?(\w+)[`"\]]?\s*\(([^()]*)\)\s*(?:WHERE\s+([\s\S]+?))?\s*;?\s*$/i;
const INDEX_COLUMN = /^[`"[]?(\w+)[`"\]]?(?:\s+COLLATE\s+(\w+))?(?:\s+(ASC|DESC))?$/i;

/**
 * Parses one index definition of collection JSON: plain columns, `COLLATE NOCASE` and a
 * partial-index condition (PocketBase puts `WHERE email != ''` on every auth collection).
 * Tandem rebuilds the SQL itself with quoted names, so index text is never run as given.
 */
export function parseIndex(text: string): IndexDef {
  const match = INDEX_SQL.exec(text);
  if (!match) throw invalidIndex(text, 'expected CREATE [UNIQUE] INDEX name ON table (columns) [WHERE …]');
  const columns = match[5]!.split(',').map((part) => parseColumn(part.trim(), text));
  const where = match[6] === undefined ? undefined : parseIndexWhere(match[6]);
  if (match[6] !== undefined && !where) throw invalidIndex(text, 'unsupported WHERE condition');
  return { name: match[3]!, unique: Boolean(match[1]), columns, ...(where ? { where } : {}) };
}

function parseColumn(part: string, text: string): IndexColumn {
  const column = INDEX_COLUMN.exec(part);
  if (!column) throw invalidIndex(text, `unsupported column ${JSON.stringify(part.slice(0, 60))}`);
  const collate = (column[2] ?? 'BINARY').toUpperCase();
  if (collate !== 'NOCASE' && collate !== 'BINARY') throw invalidIndex(text, `unsupported collation ${collate}`);
  return { name: column[1]!, desc: (column[3] ?? '').toUpperCase() === 'DESC', nocase: collate === 'NOCASE' };
}

/** Every column an index reads: its own and those of its condition. */
export function indexColumnNames(index: IndexDef): string[] {
  return [...index.columns.map((c) => c.name), ...(index.where ? whereColumns(index.where) : [])];
}

function invalidIndex(text: string, why: string): AppError {
  return new AppError('COLLECTION_INVALID', undefined, {
    indexes: {
      code: 'validation_invalid_index',
      message: `Unsupported index definition (${why}): ${text.slice(0, 200)}`,
    },
  });
}

/** The CREATE INDEX statement for a parsed index on a table, in the dialect's SQL. */
export function createIndexSql(dialect: Dialect, table: string, index: IndexDef): string {
  const columns = index.columns.map((c) => {
    const quoted = quoteIdentifier(c.name);
    return (c.nocase ? dialect.caseInsensitiveIndexColumn(quoted) : quoted) + (c.desc ? ' DESC' : '');
  });
  const where = index.where ? ` WHERE ${formatIndexWhere(index.where)}` : '';
  return `CREATE ${index.unique ? 'UNIQUE ' : ''}INDEX ${quoteIdentifier(index.name)} ON ${quoteIdentifier(table)} (${columns.join(', ')})${where}`;
}

/** Canonical text of an index definition, as stored in collection JSON (PocketBase's backtick style). */
export function formatIndex(table: string, index: IndexDef): string {
  const tick = (name: string) => `\`${name}\``;
  const columns = index.columns.map(
    (c) => tick(c.name) + (c.nocase ? ' COLLATE NOCASE' : '') + (c.desc ? ' DESC' : ''),
  );
  const where = index.where ? ` WHERE ${formatIndexWhere(index.where, tick)}` : '';
  return `CREATE ${index.unique ? 'UNIQUE ' : ''}INDEX ${tick(index.name)} ON ${tick(table)} (${columns.join(', ')})${where}`;
}
