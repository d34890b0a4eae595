import { AppError, isAppError } from '../errors/app-error.js';
import { sql, ident } from '../sql/sql.js';
import type { Executor } from '../store/store.js';
import type { Dialect } from '../store/dialect.js';
import type { Collection } from '../schema/collection.js';
import {
  alterTableStatements,
  COLLECTIONS_TABLE,
  createTableStatements,
  dropTableStatements,
} from '../schema/schema-ddl.js';
import { schemaViewOf, type SchemaView } from '../schema/schema-view.js';
import { inImport } from './collection-import.js';
import { assertRulesCompile } from './collection-rules-check.js';
import { inferViewFields, viewRefused } from './view-collection.js';

/** Creates a collection's table and stores its definition; a view's fields are read from its query first. */
export async function insertCollection(tx: Executor, collection: Collection, schema: SchemaView): Promise<Collection> {
  await runDdl(tx, collection, createTableStatements(tx.dialect, collection));
  const stored = await settleView(tx, collection, schema);
  await tx.run(sql`INSERT INTO ${ident(COLLECTIONS_TABLE)} ("id", "name", "definition", "created", "updated")
      VALUES (${stored.id}, ${stored.name}, ${JSON.stringify(stored)}, ${stored.created}, ${stored.updated})`);
  return stored;
}

/** Changes a collection's table and definition; its id may change too (an import matched it by name). */
export async function alterCollection(
  tx: Executor,
  before: Collection,
  after: Collection,
  schema: SchemaView,
): Promise<Collection> {
  await runDdl(tx, after, alterTableStatements(tx.dialect, before, after));
  const stored = await settleView(tx, after, schema);
  await tx.run(
    sql`UPDATE ${ident(COLLECTIONS_TABLE)} SET "id" = ${stored.id}, "name" = ${stored.name}, "definition" = ${JSON.stringify(stored)}, "updated" = ${stored.updated} WHERE "id" = ${before.id}`,
  );
  return stored;
}

/** Drops a collection's table and its definition. */
export async function dropCollection(tx: Executor, collection: Collection): Promise<void> {
  for (const statement of dropTableStatements(collection)) await tx.exec(statement);
  await tx.run(sql`DELETE FROM ${ident(COLLECTIONS_TABLE)} WHERE "id" = ${collection.id}`);
}

/** Checks a collection's rules against the schema it will live in; views are checked once their fields are known. */
export function assertRules(collection: Collection, schema: SchemaView, dialect: Dialect, index?: number): void {
  if (collection.type === 'view') return;
  try {
    assertRulesCompile(collection, schema, dialect);
  } catch (error) {
    if (index === undefined || !isAppError(error)) throw error;
    throw inImport(error, collection.name, index);
  }
}

/** Refuses to remove `target` while a collection that stays (not in `leaving`) relates to it. */
export function assertUnreferenced(
  target: Collection,
  leaving: ReadonlySet<string>,
  remaining: readonly Collection[],
): void {
  const referrer = remaining.find(
    (c) => !leaving.has(c.id) && c.fields.some((f) => f.type === 'relation' && f.collectionId === target.id),
  );
  if (referrer) {
    throw new AppError('COLLECTION_INVALID', `Collection ${target.name} is still referenced by ${referrer.name}.`, {
      collection: {
        code: 'validation_collection_referenced',
        message: `Referenced by a relation field of ${referrer.name}.`,
      },
    });
  }
}

/** A view of the schema with one collection added or replaced. */
export function withCollection(schema: SchemaView, collection: Collection): SchemaView {
  const others = () => schema.all().filter((c) => c.id !== collection.id);
  return schemaViewOf([...others(), collection]);
}

/** Runs one step of an import; a database refusal names the collection it happened in. */
export async function named<T>(collection: Collection, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (isAppError(error)) throw error;
    const reason = (error as Error).message.split('\n')[0];
    throw new AppError('COLLECTION_INVALID', `Collection ${collection.name} was refused by the database: ${reason}`);
  }
}

/** A view's fields come from its query, read in the transaction that created it; then its rules are checked. */
async function settleView(tx: Executor, collection: Collection, schema: SchemaView): Promise<Collection> {
  if (collection.type !== 'view') return collection;
  const view = await inferViewFields(tx, collection, schema);
  assertRulesCompile(view, withCollection(schema, view), tx.dialect);
  return view;
}

/** Runs a collection's DDL; a view the database refuses gets an error that says why. */
async function runDdl(tx: Executor, collection: Collection, statements: readonly string[]): Promise<void> {
  try {
    for (const statement of statements) await tx.exec(statement);
  } catch (error) {
    throw collection.type === 'view' ? viewRefused(tx, collection, error) : error;
  }
}
