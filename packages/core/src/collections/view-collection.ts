import { AppError } from '../errors/app-error.js';
import type { Collection, FieldDef, FieldTypeName } from '../schema/collection.js';
import { fieldIdFor } from '../schema/collection-ids.js';
import { idFieldDef } from '../schema/fields/text-field.js';
import type { SchemaView } from '../schema/schema-view.js';
import type { Executor } from '../store/store.js';
import { ident, sql } from '../sql/sql.js';

type ViewColumn = { name: string; type: string };

/**
 * Reads the columns of a view just created in `tx` and gives the collection one field
 * per column, as PocketBase does: a field the definition already names keeps its type,
 * a column named like a field of a collection the query reads takes that field's
 * definition (so a relation column can be expanded), and anything else gets a type from
 * the column's SQL type (json when unknown). Running the query here is what finds a
 * missing table or column, or SQL this database cannot run: the error says which.
 */
export async function inferViewFields(tx: Executor, view: Collection, schema: SchemaView): Promise<Collection> {
  const columns = await viewColumns(tx, view);
  if (!columns.some((c) => c.name === 'id'))
    throw viewError(view, 'The query must return an "id" column (for example `(ROW_NUMBER() OVER()) AS id`).');
  const sources = sourceCollections(view, schema);
  assertNoPasswordColumn(view, columns, sources);
  const fields = columns.map((column) => fieldFor(column, view, sources));
  return { ...view, fields };
}

async function viewColumns(tx: Executor, view: Collection): Promise<ViewColumn[]> {
  try {
    // NB: SQLite creates a view over a missing table without complaint; only reading it fails.
    await tx.all(sql`SELECT * FROM ${ident(view.name)} LIMIT 0`);
    return await tx.all<ViewColumn>(tx.dialect.columnsQuery(view.name));
  } catch (error) {
    throw viewRefused(tx, view, error);
  }
}

/** The error for a view the database refused (PostgreSQL checks the query at CREATE VIEW, SQLite only when it runs). */
export function viewRefused(tx: Executor, view: Collection, error: unknown): AppError {
  if (error instanceof AppError) return error;
  const reason = (error as Error).message.split('\n')[0];
  return viewError(view, `The query cannot run on ${tx.dialect.displayName}: ${reason}`);
}

function fieldFor(column: ViewColumn, view: Collection, sources: readonly Collection[]): FieldDef {
  if (column.name === 'id') return view.fields.find((f) => f.name === 'id') ?? idFieldDef();
  const given = view.fields.find((f) => f.name === column.name);
  if (given) return given;
  const source = sources.flatMap((c) => c.fields).find((f) => f.name === column.name && f.type !== 'password');
  if (source) return { ...source, id: fieldIdFor(source.type, `${view.name}.${column.name}`), system: false };
  const type = typeOfSqlColumn(column.type);
  return {
    id: fieldIdFor(type, `${view.name}.${column.name}`),
    name: column.name,
    type,
    system: false,
    hidden: false,
    presentable: false,
    required: false,
  };
}

/**
 * Refuses a view that selects an auth collection's password hash under its own name: its
 * column would come out as plain text, served to whoever passes the view's rules. (A
 * view serves exactly the columns its query selects; a renamed hash is the superuser's
 * explicit choice, as in PocketBase.)
 */
function assertNoPasswordColumn(view: Collection, columns: readonly ViewColumn[], sources: readonly Collection[]) {
  const passwords = new Set(
    sources
      .flatMap((c) => c.fields)
      .filter((f) => f.type === 'password')
      .map((f) => f.name),
  );
  const hash = columns.find((column) => passwords.has(column.name));
  if (hash)
    throw viewError(view, `The query selects "${hash.name}", an auth collection's password hash; leave it out.`);
}

/** The collections whose table names appear in the query as words. */
function sourceCollections(view: Collection, schema: SchemaView): Collection[] {
  const words = new Set((view.viewQuery ?? '').match(/\w+/g) ?? []);
  return schema.all().filter((c) => c.id !== view.id && words.has(c.name));
}

function typeOfSqlColumn(sqlType: string): FieldTypeName {
  const type = sqlType.toLowerCase();
  if (/int|real|double|numeric|decimal|float/.test(type)) return 'number';
  if (type === 'boolean') return 'bool';
  if (type === 'text' || type.startsWith('character')) return 'text';
  return 'json';
}

function viewError(view: Collection, message: string): AppError {
  return new AppError('COLLECTION_INVALID', `Invalid view collection ${view.name}: ${message}`, {
    viewQuery: { code: 'validation_invalid_view_query', message },
  });
}
