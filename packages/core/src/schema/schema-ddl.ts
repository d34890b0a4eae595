import type { Dialect } from '../store/dialect.js';
import { quoteIdentifier as q } from '../sql/sql.js';
import type { Collection, FieldDef } from './collection.js';
import { columnKindOf } from './field-storage.js';
import { createIndexSql, parseIndex } from './collection-index.js';

/** The statements that create a collection's table and its indexes. */
export function createTableStatements(dialect: Dialect, collection: Collection): string[] {
  if (collection.type === 'view') return [createViewSql(collection)];
  const columns = collection.fields.map((field) => columnSql(dialect, field));
  return [`CREATE TABLE ${q(collection.name)} (${columns.join(', ')})`, ...indexStatements(dialect, collection)];
}

/** The statements that drop a collection's table (its indexes go with it). */
export function dropTableStatements(collection: Collection): string[] {
  return [`DROP ${collection.type === 'view' ? 'VIEW' : 'TABLE'} IF EXISTS ${q(collection.name)}`];
}

/**
 * The statements that turn `before`'s table into `after`'s, keeping the data of every
 * column whose field survives with the same storage kind. Fields are matched by id, so
 * a renamed field keeps its data. Indexes are dropped first and rebuilt last, because
 * SQLite cannot drop an indexed column.
 */
export function alterTableStatements(dialect: Dialect, before: Collection, after: Collection): string[] {
  if (before.type === 'view') return [...dropTableStatements(before), createViewSql(after)];
  const statements = before.indexes.map((text) => `DROP INDEX IF EXISTS ${q(parseIndex(text).name)}`);
  if (before.name !== after.name) statements.push(`ALTER TABLE ${q(before.name)} RENAME TO ${q(after.name)}`);
  const table = q(after.name);
  for (const old of before.fields) {
    const next = after.fields.find((f) => f.id === old.id);
    if (!next || columnKindOf(next) !== columnKindOf(old))
      statements.push(`ALTER TABLE ${table} DROP COLUMN ${q(old.name)}`);
    else if (next.name !== old.name)
      statements.push(`ALTER TABLE ${table} RENAME COLUMN ${q(old.name)} TO ${q(next.name)}`);
  }
  for (const field of after.fields) {
    const old = before.fields.find((f) => f.id === field.id);
    if (!old || columnKindOf(old) !== columnKindOf(field))
      statements.push(`ALTER TABLE ${table} ADD COLUMN ${columnSql(dialect, field)}`);
  }
  return [...statements, ...indexStatements(dialect, after)];
}

/**
 * A view collection's SQL view. The query is wrapped in a second SELECT, as PocketBase
 * does, so that it can only ever be one SELECT; its text was checked (schema/view-query.ts).
 */
function createViewSql(collection: Collection): string {
  return `CREATE VIEW ${q(collection.name)} AS SELECT * FROM (${collection.viewQuery ?? ''}) AS ${q('__view')}`;
}

function columnSql(dialect: Dialect, field: FieldDef): string {
  if (field.name === 'id') return `${q('id')} TEXT PRIMARY KEY NOT NULL`;
  return `${q(field.name)} ${dialect.columnDefinition(columnKindOf(field))}`;
}

function indexStatements(dialect: Dialect, collection: Collection): string[] {
  return collection.indexes.map((text) => createIndexSql(dialect, collection.name, parseIndex(text)));
}

/** The system table that keeps collection definitions. */
export const COLLECTIONS_TABLE = '_collections';

/** The statement that creates the collections table when it is missing. */
export function collectionsTableStatement(): string {
  return `CREATE TABLE IF NOT EXISTS ${q(COLLECTIONS_TABLE)} (
    "id" TEXT PRIMARY KEY NOT NULL,
    "name" TEXT NOT NULL UNIQUE,
    "definition" TEXT NOT NULL,
    "created" TEXT NOT NULL,
    "updated" TEXT NOT NULL
  )`;
}
